/**
 * `bella issue`: a short-lived token limited to some scopes (contract §2.4, §5.2 item 17), from
 * `POST /api/v1/environments/{environmentId}/tokens/issue`. Input is validated before anything is
 * sent; the environment UUID comes from keys/me when the key is scoped to that environment, else
 * from `GET …/projects/{p}/environments/{e}` (never the slug, the official CLI's bug).
 */
import {
  apiPath,
  generalError,
  openSession,
  parseApiKey,
  resolveEnvironmentTarget,
  usageError,
  type EnvironmentTarget,
  type SessionInput,
} from '@bella/core'

export const DEFAULT_TTL_MINUTES = 15
export const MIN_TTL_MINUTES = 1
export const MAX_TTL_MINUTES = 480
export const DEFAULT_REASON = 'cli-issued-token'

/** CreatedApiKeyResponse (openapi.json); `token` is what the official CLI reads, kept as a fallback. */
export interface CreatedApiKeyResponse {
  success?: boolean
  message?: string
  apiKey?: string
  token?: string
  keyPrefix?: string
  id?: string
  expiresAt?: string
  [key: string]: unknown
}

export interface IssueFlags {
  scope: string[]
  ttl?: string
  reason?: string
}

export interface IssueRequest {
  scopes: string[]
  ttlMinutes: number
  reason: string
}

/** Validates the flags (exit 2 on anything wrong), before any request. */
export function parseIssueRequest(flags: IssueFlags): IssueRequest {
  const scopes: string[] = []
  for (const value of flags.scope) {
    const entries = value.split(',').map((s) => s.trim())
    if (entries.some((s) => s === '')) {
      throw usageError(`--scope has an empty entry in ${JSON.stringify(value)}`, {
        code: 'invalid_scope',
        suggestions: ['give one or more scope names separated by commas, e.g. --scope stripe,provider:aws-dev'],
      })
    }
    scopes.push(...entries)
  }
  if (scopes.length === 0) {
    throw usageError('--scope needs at least one scope', {code: 'invalid_scope', suggestions: ['e.g. --scope stripe']})
  }
  let ttlMinutes = DEFAULT_TTL_MINUTES
  if (flags.ttl !== undefined) {
    const text = flags.ttl.trim()
    ttlMinutes = /^\d+$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(ttlMinutes) || ttlMinutes < MIN_TTL_MINUTES || ttlMinutes > MAX_TTL_MINUTES) {
      throw usageError(`--ttl must be a whole number of minutes from ${MIN_TTL_MINUTES} to ${MAX_TTL_MINUTES}, not ${JSON.stringify(flags.ttl)}`, {
        code: 'invalid_ttl',
        suggestions: [`e.g. --ttl ${DEFAULT_TTL_MINUTES} (the default)`],
      })
    }
  }
  const reason = flags.reason ?? DEFAULT_REASON
  if (reason.trim() === '') throw usageError('--reason must not be empty', {code: 'invalid_reason', suggestions: [`leave it out for "${DEFAULT_REASON}"`]})
  return {scopes: [...new Set(scopes)], ttlMinutes, reason}
}

export interface IssueOptions {
  session: SessionInput
  request: IssueRequest
}

export interface IssueResult {
  response: CreatedApiKeyResponse
  /** The issued key (`apiKey`, or `token` from older servers). */
  token: string
  target: EnvironmentTarget
}

export async function issueToken(options: IssueOptions): Promise<IssueResult> {
  const session = await openSession(options.session)
  const target = await resolveEnvironmentTarget(session)
  const {scopes, ttlMinutes, reason} = options.request
  // A POST that creates something: the client never retries it.
  const response = await session.api.request<CreatedApiKeyResponse>({
    method: 'POST',
    path: apiPath('environments', target.environmentId, 'tokens', 'issue'),
    body: {scopes, ttlMinutes, reason},
  })
  const token = typeof response?.apiKey === 'string' && response.apiKey ? response.apiKey : typeof response?.token === 'string' ? response.token : ''
  if (!token) {
    throw generalError('The Bella API answered tokens/issue without a token (no "apiKey" in the response)', {code: 'api_invalid_response'})
  }
  // Check the shape without ever echoing it.
  parseApiKey(token, 'the token returned by tokens/issue')
  return {response, token, target}
}
