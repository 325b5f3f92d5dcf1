/**
 * API keys of an environment (contract §2.5): create, list, revoke, and rotate as a sequence —
 * read the old key, create its replacement with the same name, description, role and lifetime,
 * hand it to the caller (who prints it at once), and only then revoke the old one, so a failure
 * part-way never leaves the user without a working key.
 *
 * The full key exists only in `CreatedApiKeyResponse.apiKey`; nothing here logs or embeds it.
 */
import {
  apiPath,
  didYouMean,
  escapeControls,
  generalError,
  isBellaError,
  openSession,
  quoteText,
  usageError,
  type BellaError,
  resolveEnvironmentTarget,
  type EnvironmentTarget,
  type Session,
  type SessionInput,
} from '@bella/core'
import type {ApiKeyResponse, CreateApiKeyRequest, CreatedApiKeyResponse} from './types.js'


export const MAX_EXPIRES_IN_DAYS = 3650
const DAY_MS = 86_400_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MIN_SHORT_ID = 4

// --- create --------------------------------------------------------------------------------

export interface CreateKeyFlags {
  name: string
  description?: string
  expiresInDays?: number
  role?: string
}

/** Validates the flags (exit 2), before any request. */
export function parseCreateRequest(flags: CreateKeyFlags): CreateApiKeyRequest {
  const name = flags.name.trim()
  if (!name) throw usageError('--name must not be empty', {code: 'invalid_name', suggestions: ['e.g. --name ci-deploy']})
  const days = flags.expiresInDays
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRES_IN_DAYS)) {
    throw usageError(`--expires-in-days must be a whole number from 1 to ${MAX_EXPIRES_IN_DAYS}, not ${days}`, {
      code: 'invalid_expiry',
      suggestions: ['e.g. --expires-in-days 90, or leave it out for the server default'],
    })
  }
  const role = flags.role?.trim()
  if (flags.role !== undefined && !role) throw usageError('--role must not be empty', {code: 'invalid_role'})
  if (role && !API_KEY_ROLES.includes(role.toUpperCase())) {
    throw usageError(`--role ${escapeControls(role)} is not a role${didYouMean(role, API_KEY_ROLES)}`, {
      code: 'invalid_role',
      suggestions: [`use one of ${API_KEY_ROLES.join(', ')} (at most the role of the key you sign with)`],
    })
  }
  return {clientName: name, description: flags.description?.trim() || null, expiresInDays: days ?? null, ...(role ? {role: role.toUpperCase()} : {})}
}

export interface CreatedKey {
  created: CreatedApiKeyResponse
  target: EnvironmentTarget
}

async function postKey(session: Session, environmentId: string, body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
  // A POST that creates something: never retried by the client.
  const created = await session.api.request<CreatedApiKeyResponse>({method: 'POST', path: apiPath('environments', environmentId, 'api-keys'), body})
  if (typeof created?.apiKey !== 'string' || !created.apiKey.startsWith('bax-')) {
    throw generalError('The Bella API answered the key creation without the new key ("apiKey")', {
      code: 'api_invalid_response',
      suggestions: ['list the keys with `bella api-keys list`: a key may have been created; revoke it if so'],
    })
  }
  return created
}

export async function createKey(options: {session: SessionInput; request: CreateApiKeyRequest}): Promise<CreatedKey> {
  const session = await openSession(options.session)
  const target = await resolveEnvironmentTarget(session)
  return {created: await postKey(session, target.environmentId, options.request), target}
}

// --- list ----------------------------------------------------------------------------------

export async function listKeys(options: {session: SessionInput}): Promise<{keys: ApiKeyResponse[]; target: EnvironmentTarget}> {
  const session = await openSession(options.session)
  const target = await resolveEnvironmentTarget(session)
  const keys = await fetchKeys(session, target)
  return {keys: [...keys].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt)), target}
}

async function fetchKeys(session: Session, target: EnvironmentTarget): Promise<ApiKeyResponse[]> {
  const keys = await session.api.request<ApiKeyResponse[]>({method: 'GET', path: apiPath('environments', target.environmentId, 'api-keys')})
  if (!Array.isArray(keys)) throw generalError('The Bella API answered the key list with something that is not a list', {code: 'api_invalid_response'})
  return keys
}

// --- finding one key -----------------------------------------------------------------------

const compact = (id: string) => id.replace(/-/g, '').toLowerCase()

/**
 * A key by its full id (UUID: one GET) or by a short id of at least 4 characters as `list`
 * shows it (looked up in the target environment's list; must be unambiguous). `bax-1234abcd`, the
 * key prefix, is accepted as a short id too.
 */
export async function findKey(session: Session, ref: string): Promise<ApiKeyResponse> {
  let id = ref.trim()
  if (id.startsWith('bax-')) {
    if (id.split('-').length > 2) {
      throw usageError('That looks like a whole API key; pass its id (bella api-keys list shows it), never the key itself', {code: 'invalid_key_id'})
    }
    id = id.slice(4)
  }
  if (UUID.test(id)) return getKey(session, id)
  if (compact(id).length < MIN_SHORT_ID || !/^[A-Za-z0-9-]+$/.test(id)) {
    throw usageError(`"${ref}" is not a key id: give the full id or at least ${MIN_SHORT_ID} of its first characters`, {
      code: 'invalid_key_id',
      suggestions: ['bella api-keys list shows the ids (--json shows them in full)'],
    })
  }
  const target = await resolveEnvironmentTarget(session)
  const matches = (await fetchKeys(session, target)).filter((k) => compact(k.id).startsWith(compact(id)))
  if (matches.length === 0) {
    throw generalError(`No API key in ${target.project}/${target.environment} has an id starting with "${id}"`, {
      code: 'api_key_not_found',
      suggestions: [`list them with: bella api-keys list -p ${target.project} -e ${target.environment}`],
    })
  }
  if (matches.length > 1) {
    throw usageError(`"${id}" matches ${matches.length} keys (${matches.map((k) => k.id).join(', ')}); give more of the id`, {code: 'ambiguous_key_id'})
  }
  return matches[0]!
}

async function getKey(session: Session, id: string): Promise<ApiKeyResponse> {
  let answer: unknown
  try {
    answer = await session.api.request<unknown>({method: 'GET', path: apiPath('api-keys', id)})
  } catch (error) {
    if (isBellaError(error) && error.code === 'api_not_found') {
      throw generalError(`No API key with id ${id} (the server answered 404 Not Found)`, {
        code: 'api_key_not_found',
        suggestions: ['check the id with `bella api-keys list` (--json shows full ids)'],
      })
    }
    throw error
  }
  // The spec leaves this response untyped; accept the key itself or a `{apiKey: {...}}` wrapper.
  const key = (answer && typeof answer === 'object' && 'apiKey' in answer && typeof answer.apiKey === 'object' ? answer.apiKey : answer) as ApiKeyResponse
  if (!key || typeof key.id !== 'string') throw generalError(`The Bella API answered GET /api/v1/api-keys/${id} without a key`, {code: 'api_invalid_response'})
  return key
}

/** Whether `key` is the one this session is signing with. */
export function isSessionKey(session: Session, key: ApiKeyResponse): boolean {
  return session.credentials.kind === 'api-key' && compact(session.credentials.keyId) === compact(key.id)
}

// --- revoke --------------------------------------------------------------------------------

export const API_KEY_ROLES = ['CONSUMER', 'MANAGER', 'ADMIN', 'OWNER']

export interface RevokedKey {
  key: ApiKeyResponse
  /** It was revoked (or disabled) before this command: nothing was sent. */
  alreadyRevoked: boolean
  /** The key this command authenticated with was the one revoked. */
  wasSessionKey: boolean
}

async function deleteKey(session: Session, key: ApiKeyResponse): Promise<void> {
  await session.api.request<unknown>({method: 'DELETE', path: apiPath('api-keys', key.id)})
}

export async function revokeKey(options: {session: SessionInput; ref: string}): Promise<RevokedKey> {
  const session = await openSession(options.session)
  const key = await findKey(session, options.ref)
  if (key.revokedAt || !key.isActive) return {key, alreadyRevoked: true, wasSessionKey: false}
  await deleteKey(session, key)
  return {key, alreadyRevoked: false, wasSessionKey: isSessionKey(session, key)}
}

// --- rotate --------------------------------------------------------------------------------

/** The replacement's lifetime: the old key's own (expiresAt − createdAt, whole days, ≥ 1), from now. */
export function replacementLifetimeDays(old: Pick<ApiKeyResponse, 'createdAt' | 'expiresAt'>): number | null {
  if (!old.expiresAt) return null
  const days = Math.round((Date.parse(old.expiresAt) - Date.parse(old.createdAt)) / DAY_MS)
  if (!Number.isFinite(days)) return null
  return Math.min(MAX_EXPIRES_IN_DAYS, Math.max(1, days))
}

export interface RotateResult {
  old: ApiKeyResponse
  created: CreatedApiKeyResponse
  /** Set when the replacement exists (and was handed out) but the old key could not be revoked. */
  revokeError?: BellaError
  wasSessionKey: boolean
}

export interface RotateOptions {
  session: SessionInput
  ref: string
  /** Called as soon as the replacement exists, before the old key is revoked: print it there. */
  onCreated?: (created: CreatedApiKeyResponse, old: ApiKeyResponse) => void
}

export async function rotateKey(options: RotateOptions): Promise<RotateResult> {
  const session = await openSession(options.session)
  const old = await findKey(session, options.ref)
  if (old.revokedAt || !old.isActive) {
    throw usageError(`API key ${escapeControls(old.id)} (${quoteText(old.clientName)}) is already revoked or disabled; there is nothing to rotate`, {
      code: 'key_not_active',
      suggestions: ['create a new one with `bella api-keys create`'],
    })
  }
  if (old.allowedScopes && old.allowedScopes.length > 0) {
    throw usageError(`API key ${old.id} is a scoped token; issue a new one with \`bella issue\` instead`, {code: 'key_is_scoped'})
  }
  if (!old.environmentId) {
    throw usageError(`API key ${escapeControls(old.id)} (${quoteText(old.clientName)}) is not an environment key; bella api-keys rotates environment keys only`, {
      code: 'key_not_environment',
    })
  }
  const created = await postKey(session, old.environmentId, {
    clientName: old.clientName,
    description: old.description,
    expiresInDays: replacementLifetimeDays(old),
    role: old.role,
  })
  options.onCreated?.(created, old)
  const wasSessionKey = isSessionKey(session, old)
  try {
    await deleteKey(session, old)
  } catch (error) {
    if (!isBellaError(error)) throw error
    return {old, created, revokeError: error, wasSessionKey}
  }
  return {old, created, wasSessionKey}
}
