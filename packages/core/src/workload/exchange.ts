/**
 * The exchange of contract §1.9: `POST /api/v1/token` with `{oidcToken, projectSlug,
 * environmentSlug}`, unauthenticated, answered with `{token: "bax-…", expiresAt}`. The key is kept
 * in memory only. Refusals keep the server's own words (which check failed) and say what to do.
 */
import {createApiClient, type RetryNotice} from '../api/client.js'
import {nodeTransport, type Transport} from '../api/transport.js'
import {parseApiKey} from '../crypto/api-key.js'
import {authError, generalError, isBellaError, type BellaError} from '../errors.js'

export interface OidcExchangeRequest {
  baseUrl: string
  oidcToken: string
  project: string
  environment: string
  appClient?: string
  timeoutMs?: number
  transport?: Transport
  onRetry?: (notice: RetryNotice) => void
  /** "GitHub Actions", "Kubernetes": used in messages. */
  platformName: string
  subject: string
}

export interface OidcExchangeResult {
  token: string
  keyId: string
  expiresAt: string | undefined
}

export async function exchangeOidcToken(request: OidcExchangeRequest): Promise<OidcExchangeResult> {
  let status: number | undefined
  const inner = request.transport ?? nodeTransport
  const api = createApiClient({
    baseUrl: request.baseUrl,
    appClient: request.appClient,
    timeoutMs: request.timeoutMs,
    onRetry: request.onRetry,
    transport: async (req) => {
      const response = await inner(req)
      status = response.status
      return response
    },
  })
  let answer: {token?: unknown; apiKey?: unknown; expiresAt?: unknown} | undefined
  try {
    answer = await api.request({
      method: 'POST',
      path: '/api/v1/token',
      body: {oidcToken: request.oidcToken, projectSlug: request.project, environmentSlug: request.environment},
      // Safe to repeat (at worst a second short-lived key), and the endpoint documents 429.
      idempotent: true,
    })
  } catch (error) {
    if (!isBellaError(error)) throw error
    throw refused(error, status, request)
  }
  const token = typeof answer?.token === 'string' ? answer.token : typeof answer?.apiKey === 'string' ? answer.apiKey : undefined
  if (!token) {
    throw generalError(`The Bella API answered POST /api/v1/token without a key ("token")`, {code: 'workload_exchange_invalid'})
  }
  const {keyId} = parseApiKey(token, 'the key returned by POST /api/v1/token')
  return {token, keyId, expiresAt: typeof answer?.expiresAt === 'string' ? answer.expiresAt : undefined}
}

function refused(error: BellaError, status: number | undefined, request: OidcExchangeRequest): BellaError {
  const identity = `${request.platformName} workload identity (subject ${request.subject})`
  const target = `${request.project}/${request.environment}`
  const fallback = 'or use an API key instead: set BELLA_BAXTER_API_KEY'
  const message = `${identity} was not accepted for ${target}: ${error.message}`
  if (status === 401 || status === 403) {
    return authError(message, {
      code: 'workload_identity_refused',
      suggestions: [
        "the server did not accept the platform's OIDC token (issuer, audience, signature or expiry); check the trust domain configured for this environment",
        fallback,
      ],
    })
  }
  if (status === 422) {
    return authError(message, {
      code: 'workload_identity_untrusted',
      suggestions: [`add a trust rule for subject "${request.subject}" to ${target}, or check -p/-e`, fallback],
    })
  }
  if (status === 404) {
    return generalError(message, {
      code: 'workload_identity_not_found',
      suggestions: ['check the project and environment (-p/-e, BELLA_BAXTER_PROJECT/BELLA_BAXTER_ENV, .bella)', fallback],
    })
  }
  // Unreachable, 5xx, …: keep the client's classification (exit 4 and its suggestions).
  return Object.assign(error, {message: `${identity}: ${error.message}`})
}
