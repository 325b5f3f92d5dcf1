/**
 * Verifies an OIDC ID token (a JWT) for keyless workload identity, with node:crypto only:
 * RS256 or ES256 against the public keys of an issuer configured in the seed, then the registered
 * claims (iss, aud, exp, nbf, iat) and finally the trust rules that say which project/environment
 * the token's subject may get a key for.
 *
 * Every rejection says which check failed, never echoing the token itself.
 */
import {verify} from 'node:crypto'
import {HttpError, unauthorized} from '../http.js'
import type {ResolvedOidcIssuer, ResolvedTrustRule} from '../seed/oidc-seed.js'

/** Clock skew tolerated on exp/nbf/iat. */
export const OIDC_LEEWAY_SECONDS = 60

export type JwtClaims = Record<string, unknown>

export interface VerifiedOidcToken {
  issuer: ResolvedOidcIssuer
  claims: JwtClaims
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw unauthorized(`the OIDC token is not a JWT: its ${what} is not base64url`)
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw unauthorized(`the OIDC token is not a JWT: its ${what} is not JSON`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unauthorized(`the OIDC token's ${what} is not a JSON object`)
  return parsed as Record<string, unknown>
}

export function verifyOidcToken(token: string, issuers: readonly ResolvedOidcIssuer[], now: Date): VerifiedOidcToken {
  const parts = token.split('.')
  if (parts.length !== 3) throw unauthorized('the OIDC token is not a JWT (expected header.payload.signature)')
  const [headerB64, payloadB64, signatureB64] = parts as [string, string, string]
  const header = decodeSegment(headerB64, 'header')
  const claims = decodeSegment(payloadB64, 'payload')

  const iss = claims.iss
  if (typeof iss !== 'string') throw unauthorized('the OIDC token has no "iss" claim')
  const issuer = issuers.find((i) => i.issuer === iss)
  if (!issuer) throw unauthorized(`the OIDC token's issuer "${iss}" is not trusted by this server`)

  const alg = header.alg
  if (alg !== 'RS256' && alg !== 'ES256') {
    throw unauthorized(`the OIDC token is signed with ${typeof alg === 'string' ? alg : 'no algorithm'}; only RS256 and ES256 are accepted`)
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const candidates = issuer.keys.filter((k) => k.alg === alg && (kid === undefined || k.kid === undefined || k.kid === kid))
  if (candidates.length === 0) throw unauthorized(`issuer "${iss}" has no ${alg} key${kid ? ` with kid "${kid}"` : ''} configured`)
  if (!/^[A-Za-z0-9_-]+$/.test(signatureB64)) throw unauthorized('the OIDC token signature is not base64url')
  const signature = Buffer.from(signatureB64, 'base64url')
  const data = Buffer.from(`${headerB64}.${payloadB64}`, 'ascii')
  const valid = candidates.some(({key}) =>
    alg === 'RS256' ? verify('sha256', data, key, signature) : verify('sha256', data, {key, dsaEncoding: 'ieee-p1363'}, signature),
  )
  if (!valid) throw unauthorized(`the OIDC token's signature does not verify against the key configured for issuer "${iss}"`)

  const aud = claims.aud
  const audiences = Array.isArray(aud) ? aud : [aud]
  if (!audiences.includes(issuer.audience)) {
    throw unauthorized(`the OIDC token's audience ${JSON.stringify(aud ?? null)} does not include "${issuer.audience}"`)
  }
  const seconds = Math.floor(now.getTime() / 1000)
  const exp = claims.exp
  if (typeof exp !== 'number') throw unauthorized('the OIDC token has no "exp" claim')
  if (exp + OIDC_LEEWAY_SECONDS <= seconds) throw unauthorized(`the OIDC token expired at ${new Date(exp * 1000).toISOString()}`)
  if (typeof claims.nbf === 'number' && claims.nbf - OIDC_LEEWAY_SECONDS > seconds) {
    throw unauthorized(`the OIDC token is not valid before ${new Date(claims.nbf * 1000).toISOString()}`)
  }
  if (typeof claims.iat === 'number' && claims.iat - OIDC_LEEWAY_SECONDS > seconds) {
    throw unauthorized('the OIDC token was issued in the future; check the clocks')
  }
  return {issuer, claims}
}

/** `*` matches any run of characters; everything else literally. */
export function globMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')
  return regex.test(value)
}

function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

export function ruleMatches(rule: ResolvedTrustRule, claims: JwtClaims): boolean {
  const sub = claimText(claims.sub)
  if (rule.subject !== undefined && (sub === undefined || !globMatch(rule.subject, sub))) return false
  for (const [name, pattern] of Object.entries(rule.claims)) {
    const value = claimText(claims[name])
    if (value === undefined || !globMatch(pattern, value)) return false
  }
  return true
}

/** 422, as the contract documents for claims that match no trust domain. */
export function untrusted(detail: string): HttpError {
  return new HttpError(422, detail, {title: 'Unprocessable Entity'})
}
