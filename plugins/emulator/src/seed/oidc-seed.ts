/**
 * The seed's `oidc:` section: which OIDC issuers the emulator trusts for keyless workload identity
 * (`POST /api/v1/token`, contract §1.9), with the public key each one signs with, and trust rules
 * that map a token's subject and claims to the project/environment it may get a key for.
 *
 *   oidc:
 *     - issuer: https://token.actions.githubusercontent.com
 *       audience: bella-baxter              # default
 *       publicKey: |                        # PEM (SPKI), a JWK mapping, or a JWKS {keys: [...]}
 *         -----BEGIN PUBLIC KEY-----
 *         …
 *       trust:
 *         - project: shop
 *           environment: dev
 *           subject: "repo:acme/shop:*"      # glob on `sub` (`*` = any run of characters); default any
 *           claims: {repository: acme/shop}  # further claims that must match (globs too)
 *           role: CONSUMER                   # role of the key handed out; default CONSUMER
 *           ttlMinutes: 60                   # lifetime of that key; default 60
 *
 * Nothing is fetched: real issuers publish keys at a JWKS URL, but the emulator never opens an
 * outbound connection, so the key (or a copy of the JWKS) goes into the seed.
 */
import {createPublicKey, type KeyObject} from 'node:crypto'
import type {ResolvedProject} from './seed.js'
import {describeSeedPath, SeedError, type SeedPath} from './seed-error.js'

export const DEFAULT_OIDC_AUDIENCE = 'bella-baxter'
export const DEFAULT_OIDC_KEY_TTL_MINUTES = 60

export interface SeedOidcIssuer {
  issuer: string
  audience?: string
  /** PEM text, a JWK, or a JWKS (`{keys: [jwk, …]}`). */
  publicKey: string | Record<string, unknown>
  trust: SeedTrustRule[]
}

export interface SeedTrustRule {
  project: string
  environment: string
  subject?: string
  claims?: Record<string, string>
  role?: string
  ttlMinutes?: number
}

export type OidcAlgorithm = 'RS256' | 'ES256'

export interface ResolvedOidcKey {
  kid: string | undefined
  alg: OidcAlgorithm
  key: KeyObject
}

export interface ResolvedTrustRule {
  projectId: string
  environmentId: string
  subject: string | undefined
  claims: Record<string, string>
  role: string
  ttlMinutes: number
}

export interface ResolvedOidcIssuer {
  issuer: string
  audience: string
  keys: ResolvedOidcKey[]
  trust: ResolvedTrustRule[]
}

type Obj = Record<string, unknown>

function mapping(value: unknown, path: SeedPath, allowed?: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw new SeedError(path, `${describeSeedPath(path)} must be a mapping`)
  }
  if (allowed) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new SeedError([...path, key], `unknown key "${key}" in ${describeSeedPath(path)} (expected one of: ${allowed.join(', ')})`, {atKey: true})
      }
    }
  }
  return value as Obj
}

function text(obj: Obj, key: string, path: SeedPath, required: boolean): string | undefined {
  const value = obj[key]
  if (value === undefined || value === null) {
    if (required) throw new SeedError(path, `${describeSeedPath(path)} needs "${key}"`)
    return undefined
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be a non-empty string`)
  }
  return value
}

export function resolveOidc(raw: unknown, projects: ResolvedProject[]): ResolvedOidcIssuer[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new SeedError(['oidc'], 'oidc must be a list of issuers')
  const seen = new Set<string>()
  return raw.map((item, i) => {
    const path: SeedPath = ['oidc', i]
    const obj = mapping(item, path, ['issuer', 'audience', 'publicKey', 'trust'])
    const issuer = text(obj, 'issuer', path, true)!
    if (seen.has(issuer)) throw new SeedError([...path, 'issuer'], `duplicate OIDC issuer "${issuer}"`)
    seen.add(issuer)
    if (obj.publicKey === undefined || obj.publicKey === null) throw new SeedError(path, `${describeSeedPath(path)} needs "publicKey"`)
    const trustRaw = obj.trust
    if (!Array.isArray(trustRaw) || trustRaw.length === 0) {
      throw new SeedError([...path, 'trust'], `${describeSeedPath([...path, 'trust'])} must be a non-empty list of trust rules`)
    }
    return {
      issuer,
      audience: text(obj, 'audience', path, false) ?? DEFAULT_OIDC_AUDIENCE,
      keys: resolveKeys(obj.publicKey, [...path, 'publicKey']),
      trust: trustRaw.map((rule, j) => resolveRule(rule, [...path, 'trust', j], projects)),
    }
  })
}

function resolveKeys(raw: unknown, path: SeedPath): ResolvedOidcKey[] {
  if (typeof raw === 'string') return [publicKeyOf(raw, undefined, path)]
  const obj = mapping(raw, path)
  if (Array.isArray(obj.keys)) {
    if (obj.keys.length === 0) throw new SeedError(path, `${describeSeedPath(path)} is a JWKS without keys`)
    return obj.keys.map((jwk, i) => publicKeyOf(mapping(jwk, [...path, 'keys', i]), undefined, [...path, 'keys', i]))
  }
  return [publicKeyOf(obj, undefined, path)]
}

function publicKeyOf(source: string | Obj, kid: string | undefined, path: SeedPath): ResolvedOidcKey {
  let key: KeyObject
  try {
    key = typeof source === 'string' ? createPublicKey(source) : createPublicKey({key: source as any, format: 'jwk'})
  } catch {
    throw new SeedError(path, `${describeSeedPath(path)} is not a usable public key: give PEM text (-----BEGIN PUBLIC KEY-----), a JWK or a JWKS`)
  }
  const kidOf = typeof source === 'object' && typeof source.kid === 'string' ? source.kid : kid
  if (key.asymmetricKeyType === 'rsa') return {kid: kidOf, alg: 'RS256', key}
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return {kid: kidOf, alg: 'ES256', key}
  throw new SeedError(path, `${describeSeedPath(path)} must be an RSA key (RS256) or a P-256 EC key (ES256)`)
}

function resolveRule(raw: unknown, path: SeedPath, projects: ResolvedProject[]): ResolvedTrustRule {
  const obj = mapping(raw, path, ['project', 'environment', 'subject', 'claims', 'role', 'ttlMinutes'])
  const projectRef = text(obj, 'project', path, true)!
  const project = projects.find((p) => p.slug === projectRef || p.id === projectRef.toLowerCase())
  if (!project) throw new SeedError([...path, 'project'], `${describeSeedPath(path)} names project "${projectRef}", which the seed does not define`)
  const envRef = text(obj, 'environment', path, true)!
  const env = project.environments.find((e) => e.slug === envRef || e.id === envRef.toLowerCase())
  if (!env) {
    throw new SeedError([...path, 'environment'], `${describeSeedPath(path)} names environment "${envRef}", which project "${project.slug}" does not define`)
  }
  const claims: Record<string, string> = {}
  if (obj.claims !== undefined && obj.claims !== null) {
    for (const [name, value] of Object.entries(mapping(obj.claims, [...path, 'claims']))) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new SeedError([...path, 'claims', name], `${describeSeedPath([...path, 'claims', name])} must be a string`)
      }
      claims[name] = String(value)
    }
  }
  const ttl = obj.ttlMinutes
  if (ttl !== undefined && ttl !== null && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 1440)) {
    throw new SeedError([...path, 'ttlMinutes'], `${describeSeedPath([...path, 'ttlMinutes'])} must be a whole number of minutes from 1 to 1440`)
  }
  return {
    projectId: project.id,
    environmentId: env.id,
    subject: text(obj, 'subject', path, false),
    claims,
    role: text(obj, 'role', path, false) ?? 'CONSUMER',
    ttlMinutes: typeof ttl === 'number' ? ttl : DEFAULT_OIDC_KEY_TTL_MINUTES,
  }
}
