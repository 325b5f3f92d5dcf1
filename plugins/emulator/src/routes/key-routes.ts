/**
 * API keys and scoped tokens (contract §2.4, §2.5), in openapi.json's shapes:
 *
 *   POST   /api/v1/environments/{environmentId}/api-keys        CreateApiKeyRequest → 201 CreatedApiKeyResponse
 *   GET    /api/v1/environments/{environmentId}/api-keys        → ApiKeyResponse[] (?isScoped=true|false)
 *   GET    /api/v1/api-keys/{id}                                → ApiKeyResponse
 *   DELETE /api/v1/api-keys/{id}                                → {success, message, id}; revoked at once
 *   POST   /api/v1/environments/{environmentId}/tokens/issue    IssueEnvironmentTokenRequest → 201 CreatedApiKeyResponse
 *
 * A created or issued key is an ordinary `bax-{keyId}-{secret}` key that authenticates from the
 * next request on; an issued one is limited to its scopes (auth/token-scope.ts) and expires after
 * `ttlMinutes`. The `id` on the wire is the key id in UUID form (the key itself carries it without
 * dashes, "N" format); both forms are accepted in paths.
 */
import {randomBytes} from 'node:crypto'
import {keyPrefix} from '@bella/core'
import {assertCanManage, assertCanReadKeys, canManage, roleRank} from '../auth/token-scope.js'
import {badRequest, forbidden, jsonObjectBody, notFound} from '../http.js'
import type {Router} from '../router.js'
import type {ApiKeyState, EmulatorState, EnvironmentState, ProjectState} from '../state.js'
import type {Handler, HandlerContext} from './context.js'

/** When CreateApiKeyRequest.expiresInDays is null: CreatedApiKeyResponse.expiresAt may not be null. */
export const DEFAULT_KEY_LIFETIME_DAYS = 365
export const MAX_KEY_LIFETIME_DAYS = 3650
export const DEFAULT_ISSUE_TTL_MINUTES = 15
export const MAX_ISSUE_TTL_MINUTES = 480

const DAY_MS = 24 * 60 * 60 * 1000
const HEX32 = /^[0-9a-f]{32}$/i

/** The key id as the API shows it: UUID form when it is a 32-hex id, as-is otherwise. */
export function publicKeyId(keyId: string): string {
  if (!HEX32.test(keyId)) return keyId
  const h = keyId.toLowerCase()
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export function findApiKey(state: EmulatorState, ref: string): ApiKeyState | undefined {
  const compact = ref.replace(/-/g, '').toLowerCase()
  return state.apiKeys.find((k) => k.id.toLowerCase() === compact || k.id === ref)
}

export function findEnvironmentById(state: EmulatorState, id: string): {project: ProjectState; env: EnvironmentState} | undefined {
  const lower = id.toLowerCase()
  for (const project of state.projects) {
    const env = project.environments.find((e) => e.id === lower)
    if (env) return {project, env}
  }
  return undefined
}

function requireEnvironmentById(state: EmulatorState, id: string): {project: ProjectState; env: EnvironmentState} {
  const found = findEnvironmentById(state, id)
  if (!found) throw notFound(`no environment with id "${id}" (this route takes the environment's UUID, not its slug)`)
  return found
}

export interface MintOptions {
  projectId: string
  environmentId: string
  role: string
  name: string
  description: string | null
  expires: Date
  scopes: string[] | null
  now: Date
}

/** Adds a new live key to the emulator and returns it with its one-time full `bax-…` form. */
export function mintApiKey(state: EmulatorState, options: MintOptions): {key: ApiKeyState; apiKey: string} {
  const id = randomBytes(16).toString('hex')
  const secretHex = randomBytes(32).toString('hex')
  const key: ApiKeyState = {
    id,
    secret: Buffer.from(secretHex, 'hex'),
    name: options.name,
    projectId: options.projectId,
    environmentId: options.environmentId,
    role: options.role,
    expires: options.expires,
    revoked: false,
    description: options.description,
    createdAt: options.now,
    lastUsedAt: null,
    usageCount: 0,
    revokedAt: null,
    scopes: options.scopes,
  }
  state.apiKeys.push(key)
  return {key, apiKey: `bax-${id}-${secretHex}`}
}

/** CreatedApiKeyResponse */
function createdView(minted: {key: ApiKeyState; apiKey: string}, message: string) {
  return {
    success: true,
    message,
    apiKey: minted.apiKey,
    keyPrefix: keyPrefix(minted.key.id),
    id: publicKeyId(minted.key.id),
    expiresAt: minted.key.expires!.toISOString(),
  }
}

/** ApiKeyResponse */
export function apiKeyView(key: ApiKeyState, now: Date) {
  const isExpired = key.expires !== null && key.expires.getTime() <= now.getTime()
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)
  return {
    id: publicKeyId(key.id),
    environmentId: key.environmentId,
    projectId: key.projectId,
    role: key.role,
    clientName: key.name,
    keyPrefix: keyPrefix(key.id),
    expiresAt: iso(key.expires),
    lastUsedAt: iso(key.lastUsedAt),
    usageCount: key.usageCount ?? 0,
    isActive: !key.revoked,
    isExpired,
    isValid: !key.revoked && !isExpired,
    description: key.description ?? null,
    createdAt: (key.createdAt ?? now).toISOString(),
    revokedAt: iso(key.revokedAt),
    allowedScopes: key.scopes ?? null,
  }
}

// --- request bodies --------------------------------------------------------------------------

function optionalText(body: Record<string, unknown>, field: string): string | null {
  const value = body[field]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw badRequest(`"${field}" must be a string or null`)
  return value
}

function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | null {
  const value = body[field]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`"${field}" must be a whole number from ${min} to ${max}`)
  }
  return value
}

const API_KEY_ROLES = ['CONSUMER', 'MANAGER', 'ADMIN', 'OWNER']

function parseCreate(ctx: HandlerContext) {
  const body = jsonObjectBody(ctx.request)
  const clientName = body.clientName
  if (typeof clientName !== 'string' || clientName.trim() === '') throw badRequest('"clientName" is required and must be a non-empty string')
  const role = optionalText(body, 'role')
  if (role !== null && role.trim() === '') throw badRequest('"role" must not be empty')
  if (role !== null && !API_KEY_ROLES.includes(role.trim())) throw badRequest(`"role" must be one of ${API_KEY_ROLES.join(', ')}`)
  const publicKey = optionalText(body, 'publicKey')
  if (publicKey !== null && !/^[A-Za-z0-9+/]+={0,2}$/.test(publicKey)) throw badRequest('"publicKey" must be a Base64 SPKI public key')
  return {
    clientName: clientName.trim(),
    description: optionalText(body, 'description'),
    expiresInDays: optionalInteger(body, 'expiresInDays', 1, MAX_KEY_LIFETIME_DAYS),
    role: role?.trim() ?? 'CONSUMER',
  }
}

function parseIssue(ctx: HandlerContext) {
  const body = jsonObjectBody(ctx.request)
  const scopes = body.scopes
  if (!Array.isArray(scopes) || scopes.length === 0) throw badRequest('"scopes" is required: a non-empty array of scope names')
  for (const scope of scopes) {
    if (typeof scope !== 'string' || scope.trim() === '') throw badRequest('every entry of "scopes" must be a non-empty string')
  }
  return {
    scopes: (scopes as string[]).map((s) => s.trim()),
    ttlMinutes: optionalInteger(body, 'ttlMinutes', 1, MAX_ISSUE_TTL_MINUTES) ?? DEFAULT_ISSUE_TTL_MINUTES,
    reason: optionalText(body, 'reason'),
  }
}

function requireKeyInScope(ctx: HandlerContext): {key: ApiKeyState; project: ProjectState; env: EnvironmentState} {
  const key = findApiKey(ctx.state, ctx.params.id!)
  if (!key) throw notFound(`no API key with id "${ctx.params.id}"`)
  const project = ctx.state.projects.find((p) => p.id === key.projectId)!
  if (key.environmentId === null) {
    // A project-level key is only managed at project level.
    if (ctx.principal.projectId !== project.id || ctx.principal.environmentId !== null) {
      throw forbidden('this credential may not access a project-level API key')
    }
    return {key, project, env: project.environments[0]!}
  }
  const env = project.environments.find((e) => e.id === key.environmentId)!
  return {key, project, env}
}

export function addKeyRoutes(router: Router<Handler>): void {
  const ENV = '/api/v1/environments/:environmentId'
  router
    .add('POST', `${ENV}/api-keys`, (ctx) => {
      const {project, env} = requireEnvironmentById(ctx.state, ctx.params.environmentId!)
      assertCanManage(ctx.state, ctx.principal, project, env)
      const request = parseCreate(ctx)
      if (roleRank(request.role) > roleRank(ctx.principal.role)) {
        throw forbidden(`role ${ctx.principal.role} may not create a key with the higher role ${request.role}`)
      }
      const minted = mintApiKey(ctx.state, {
        projectId: project.id,
        environmentId: env.id,
        role: request.role,
        name: request.clientName,
        description: request.description,
        expires: new Date(ctx.now.getTime() + (request.expiresInDays ?? DEFAULT_KEY_LIFETIME_DAYS) * DAY_MS),
        scopes: null,
        now: ctx.now,
      })
      return {status: 201, body: createdView(minted, 'API key created; the full key is shown only once')}
    })
    .add('GET', `${ENV}/api-keys`, (ctx) => {
      const {project, env} = requireEnvironmentById(ctx.state, ctx.params.environmentId!)
      assertCanReadKeys(ctx.state, ctx.principal, project, env)
      const isScoped = new URLSearchParams(ctx.request.rawQuery).get('isScoped')
      if (isScoped !== null && isScoped !== 'true' && isScoped !== 'false') throw badRequest('isScoped must be true or false')
      const keys = ctx.state.apiKeys
        .filter((k) => k.environmentId === env.id)
        .filter((k) => isScoped === null || Boolean(k.scopes) === (isScoped === 'true'))
      return {status: 200, body: keys.map((k) => apiKeyView(k, ctx.now))}
    })
    .add('GET', '/api/v1/api-keys/:id', (ctx) => {
      const {key, project, env} = requireKeyInScope(ctx)
      if (key.environmentId !== null) assertCanReadKeys(ctx.state, ctx.principal, project, env)
      return {status: 200, body: apiKeyView(key, ctx.now)}
    })
    .add('DELETE', '/api/v1/api-keys/:id', (ctx) => {
      const {key, project, env} = requireKeyInScope(ctx)
      if (key.environmentId !== null) assertCanManage(ctx.state, ctx.principal, project, env)
      else if (!canManage(ctx.principal.role)) throw forbidden(`role ${ctx.principal.role} may not revoke API keys`)
      const already = key.revoked
      ctx.state.revokeApiKey(key.id)
      return {
        status: 200,
        body: {success: true, message: already ? 'API key was already revoked' : 'API key revoked', id: publicKeyId(key.id)},
      }
    })
    .add('POST', `${ENV}/tokens/issue`, (ctx) => {
      const {project, env} = requireEnvironmentById(ctx.state, ctx.params.environmentId!)
      assertCanManage(ctx.state, ctx.principal, project, env)
      const request = parseIssue(ctx)
      const minted = mintApiKey(ctx.state, {
        projectId: project.id,
        environmentId: env.id,
        role: 'CONSUMER',
        name: request.reason ?? 'issued token',
        description: request.reason,
        expires: new Date(ctx.now.getTime() + request.ttlMinutes * 60_000),
        scopes: request.scopes,
        now: ctx.now,
      })
      return {status: 201, body: createdView(minted, `Scoped token issued for ${request.scopes.join(', ')}; it expires in ${request.ttlMinutes} min`)}
    })
}
