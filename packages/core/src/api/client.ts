/**
 * The API client: signs every request (HMAC, contract §1.2) or sends the bearer token, presents an
 * E2EE key on secrets reads and refuses anything but a decryptable envelope (§3.5), retries what is
 * safe to retry, and turns every failure into a BellaError with the status, the server's message
 * and a next step. It never puts a key, signature, token or response body of a secrets read into
 * an error or log line.
 */
import type {ApiKey} from '../crypto/api-key.js'
import {signRequest} from '../crypto/hmac.js'
import {createEphemeralKey, decryptEnvelope, type E2eeKey} from '../crypto/e2ee.js'
import {escapeControls} from '../display.js'
import {BellaError, authError, generalError, unreachableError, usageError} from '../errors.js'
import {defaultRetryPolicy, isIdempotent, isRetryableStatus, parseRetryAfter, backoffDelay, type RetryPolicy} from './retry.js'
import {clockSkewError, clockSkewMs} from './clock-skew.js'
import {isPlainHttpAnswer, notFoundSuggestions, plainHttpError} from './hints.js'
import {withWaiting, type Waiting} from './waiting.js'
import {abortableSleep, createNodeTransport, formatBytes, TransportError, type HttpResponse, type Transport} from './transport.js'
import type {ProblemDetails} from './types.js'

export type {Waiting}

export const CLIENT_NAME = 'bella-cli'
/** The largest answer bella accepts (SPEC "Performance budgets"); a bigger one is refused unread. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
/** How long one request may take in all, retries and their waits included. */
export const DEFAULT_DEADLINE_MS = 30_000

export type ApiCredentials = {kind: 'api-key'; key: ApiKey; origin?: string} | {kind: 'bearer'; token: string; origin?: string}

export interface RetryNotice {
  attempt: number
  retries: number
  delayMs: number
  reason: string
  method: string
  path: string
}

export interface ApiClientOptions {
  baseUrl: string
  credentials?: ApiCredentials
  /** Sent as X-App-Client. */
  appClient?: string
  /** A persistent ZKE device key; otherwise a fresh ephemeral key per secrets request. */
  deviceKey?: E2eeKey
  /** Idle timeout of one attempt (default 15 s). */
  timeoutMs?: number
  /** Overall deadline of a request, retries and waits included (default 30 s). */
  deadlineMs?: number
  /** The deadline error's advice on waiting longer (default: name --timeout and BELLA_TIMEOUT). */
  deadlineHint?: string
  /** Largest response body accepted (default 64 MiB). */
  maxResponseBytes?: number
  retry?: Partial<RetryPolicy>
  onRetry?: (notice: RetryNotice) => void
  userAgent?: string
  transport?: Transport
  clock?: () => Date
  sleep?: (ms: number) => Promise<void>
  /** Told when an answer takes long (a "waiting for <host>…" line at a terminal); see `Waiting`. */
  waiting?: Waiting
  /** Aborting it drops in-flight requests and retry waits at once (a watcher that is stopping). */
  signal?: AbortSignal
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below the base URL, each segment already percent-encoded (see `apiPath`). */
  path: string
  query?: Record<string, string>
  body?: unknown
  /** Present an E2EE key and require an encrypted envelope back. */
  e2ee?: boolean
  /** Overrides the method's default; a POST that only reads may set true. */
  idempotent?: boolean
}

export interface ApiClient {
  readonly baseUrl: string
  readonly credentials: ApiCredentials | undefined
  request<T>(request: ApiRequest): Promise<T>
}

/** Builds `/api/v1/a/b` from raw segments, percent-encoding each one. */
export function apiPath(...segments: string[]): string {
  // Percent-encoding leaves "." and ".." as they are (and %2E counts as a dot too), and the URL then
  // resolves them: `projects/../x` would ask another endpoint.
  const dots = segments.find((s) => s === '.' || s === '..')
  if (dots !== undefined) {
    throw usageError(`"${dots}" cannot be a slug or name in a request (it would change which endpoint is asked)`, {
      code: 'invalid_path_segment',
      suggestions: ['check the project, environment or other name given'],
    })
  }
  return `/api/v1/${segments.map((s) => encodeURIComponent(s)).join('/')}`
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const policy: RetryPolicy = {...defaultRetryPolicy, ...options.retry}
  const transport = options.transport ?? createNodeTransport(options.signal)
  const clock = options.clock ?? (() => new Date())
  const sleep = options.sleep ?? (options.signal ? abortableSleep(options.signal) : defaultSleep)
  const timeoutMs = options.timeoutMs ?? 15_000
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

  async function request<T>(req: ApiRequest): Promise<T> {
    return withWaiting(options.waiting, new URL(baseUrl).host, () => attempts<T>(req))
  }

  async function attempts<T>(req: ApiRequest): Promise<T> {
    const url = new URL(baseUrl + req.path)
    if (req.query) for (const [k, v] of Object.entries(req.query)) url.searchParams.append(k, v)
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8')
    const e2eeKey = req.e2ee ? (options.deviceKey ?? createEphemeralKey()) : undefined
    const retries = req.idempotent ?? isIdempotent(req.method) ? policy.retries : 0
    const what = `${req.method} ${url.pathname}`

    const started = monotonicMs()
    const left = () => deadlineMs - (monotonicMs() - started)
    let failure = ''
    for (let attempt = 0; ; attempt++) {
      if (left() <= 0) throw deadlineError(url, what, attempt, failure)
      // Signed per attempt: a retry after a long Retry-After must not carry a stale timestamp.
      const headers = buildHeaders(url, req.method, body, e2eeKey)
      let response: HttpResponse | undefined
      try {
        response = await transport({method: req.method, url, headers, body, timeoutMs, deadlineMs: Math.ceil(left()), maxResponseBytes})
        if (response.status >= 200 && response.status < 300) return parseSuccess<T>(response, url.pathname, e2eeKey)
        if (!isRetryableStatus(response.status)) throw statusError(response, what)
        failure = `${response.status} ${response.statusText || statusName(response.status)}`
      } catch (error) {
        if (!(error instanceof TransportError)) throw error
        if (error.code === 'ETOOLARGE') throw tooLargeError(url, what, error)
        if (error.code === 'EDEADLINE') throw deadlineError(url, what, attempt + 1, failure)
        if (isPlainHttpAnswer(url, error)) throw plainHttpError(url, what, error)
        failure = `${error.code}: ${error.message}`
      }
      const retryAfter = response ? parseRetryAfter(headerValue(response, 'retry-after'), clock()) : undefined
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
        const asked = `the server asked to retry after ${seconds(retryAfter)} (Retry-After), longer than the ${seconds(policy.maxRetryAfterMs)} bella waits`
        throw exhaustedError(what, `${failure}; ${asked}`, attempt, response)
      }
      if (attempt >= retries) throw exhaustedError(what, failure, attempt, response)
      const delayMs = retryAfter ?? backoffDelay(attempt + 1, policy)
      // A wait that would end past the deadline is not started: the answer would come too late anyway.
      if (delayMs >= left()) throw deadlineError(url, what, attempt + 1, failure)
      options.onRetry?.({attempt: attempt + 1, retries, delayMs, reason: failure, method: req.method, path: url.pathname})
      await sleep(delayMs)
    }
  }

  function deadlineError(url: URL, what: string, attempts: number, last: string): BellaError {
    const tries = attempts > 1 ? ` over ${attempts} attempts` : ''
    const lastFailure = last ? `; last failure: ${last}` : ''
    return unreachableError(
      `The Bella API at ${url.host} gave no complete answer to ${what} within the ${seconds(deadlineMs)} deadline for a request (deadline exceeded${tries}${lastFailure})`,
      {
        code: 'api_deadline_exceeded',
        suggestions: [
          options.deadlineHint ?? 'wait longer with --timeout <seconds> or BELLA_TIMEOUT',
          `the server at ${baseUrl} or the network to it is too slow or stuck; try again later, or check BELLA_BAXTER_URL / --api-url`,
        ],
      },
    )
  }

  function tooLargeError(url: URL, what: string, error: TransportError): BellaError {
    return unreachableError(
      `The Bella API's answer to ${methodOf(what)} ${url.origin}${url.pathname} is larger than the ${formatBytes(maxResponseBytes)} limit bella accepts (${error.message}); it was dropped unread`,
      {
        code: 'api_response_too_large',
        suggestions: [`check that ${baseUrl} is a Bella Baxter server and not something else answering on that address`],
      },
    )
  }

  function buildHeaders(url: URL, method: string, body: Buffer | undefined, e2eeKey: E2eeKey | undefined) {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': options.userAgent ?? CLIENT_NAME,
      'X-Bella-Client': CLIENT_NAME,
    }
    if (options.appClient) headers['X-App-Client'] = options.appClient
    if (body) headers['Content-Type'] = 'application/json'
    const credentials = options.credentials
    if (credentials?.kind === 'api-key') {
      Object.assign(
        headers,
        signRequest(credentials.key, {method, path: url.pathname, rawQuery: url.search.slice(1), body: body ?? ''}, clock()),
      )
    } else if (credentials?.kind === 'bearer') {
      headers.Authorization = `Bearer ${credentials.token}`
    }
    // Not signed (§1.2), so it may be added after signing.
    if (e2eeKey) headers['X-E2E-Public-Key'] = e2eeKey.publicKeySpki
    return headers
  }

  function statusError(response: HttpResponse, what: string): BellaError {
    const status = `${response.status} ${response.statusText || statusName(response.status)}`
    const detail = problemText(response)
    const message = `The Bella API refused ${what} (${status})${detail ? `: ${detail}` : ''}`
    const origin = options.credentials?.origin
    if (response.status === 401 && options.credentials?.kind === 'api-key') {
      // A signature too far from the server's time: the clock, not the key, is what to fix.
      const date = headerValue(response, 'date')
      const skew = clockSkewMs(date, clock())
      if (skew !== undefined) return clockSkewError(skew, what, status, date!)
    }
    if (response.status === 401) {
      return authError(message, {
        code: 'api_unauthorized',
        suggestions: [
          options.credentials
            ? `the credentials${origin ? ` from ${origin}` : ''} were rejected: check the key is current and not revoked, or run \`bella login --api-key <key>\``
            : 'no credentials were configured: set BELLA_BAXTER_API_KEY or run `bella login --api-key <key>`',
          `check that ${baseUrl} is the server the key was issued by`,
        ],
      })
    }
    if (response.status === 403) {
      return authError(message, {
        code: 'api_forbidden',
        suggestions: ['use a key whose project/environment scope and role allow this operation'],
      })
    }
    if (response.status === 404) {
      return generalError(message, {code: 'api_not_found', suggestions: notFoundSuggestions(baseUrl, what)})
    }
    if (response.status === 400 || response.status === 422) {
      return usageError(message, {code: 'api_invalid_request'})
    }
    return generalError(message, {code: `api_http_${response.status}`})
  }

  function exhaustedError(what: string, failure: string, attempt: number, response?: HttpResponse): BellaError {
    const tries = attempt === 0 ? '' : ` after ${attempt + 1} attempts`
    const detail = response ? problemText(response) : ''
    return unreachableError(`Could not get an answer from the Bella API at ${baseUrl} for ${what}${tries} (${failure})${detail ? `: ${detail}` : ''}`, {
      code: response ? `api_http_${response.status}` : 'api_unreachable',
      suggestions: response
        ? ['the server is failing or rate-limiting; try again later']
        : [`check that the server at ${baseUrl} is running and reachable (BELLA_BAXTER_URL / --api-url)`],
    })
  }

  return {baseUrl, credentials: options.credentials, request}
}

const methodOf = (what: string) => what.slice(0, what.indexOf(' '))

/** `30 s`, `1.5 s`, `120 s`. */
function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function parseSuccess<T>(response: HttpResponse, path: string, e2eeKey: E2eeKey | undefined): T {
  const text = e2eeKey ? decryptEnvelope(response.body, e2eeKey.privateKey, path) : response.body
  if (text.trim() === '') return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw generalError(`The Bella API answered ${path} with a body that is not JSON`, {
      code: 'api_invalid_response',
      suggestions: ['check that the API URL points at a Bella Baxter server, not a web page or proxy'],
    })
  }
}

/** The server's own words, from ProblemDetails when present; bounded and on one line. */
function problemText(response: HttpResponse): string {
  let text = ''
  try {
    const problem = JSON.parse(response.body) as ProblemDetails & {message?: string; error?: string}
    text = [problem.title, problem.detail].filter(Boolean).join(' — ') || problem.message || problem.error || ''
  } catch {
    text = /^\s*</.test(response.body) ? '' : response.body
  }
  // The server's words are printed: no escape sequence or control character of theirs reaches a terminal.
  text = escapeControls(text.replace(/\s+/g, ' ').trim())
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

function statusName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
    409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error',
    502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
  }
  return names[status] ?? 'HTTP error'
}

/**
 * Milliseconds on a monotonic clock. Not performance.now(): the first touch of that global loads
 * perf_hooks (~0.6 ms), a tenth of what `bella run`'s start-up budget has left.
 */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6
