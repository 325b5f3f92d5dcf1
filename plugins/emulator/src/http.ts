/**
 * The HTTP vocabulary shared by the pipeline and the route handlers: what a handler returns
 * (`Reply`), how it fails (`HttpError`), and the ProblemDetails body every error carries.
 */

/** What the pipeline knows about a request before any handler runs. */
export interface IncomingRequest {
  method: string
  /** The path exactly as it arrived on the request line, still percent-encoded, without query. */
  rawPath: string
  /** The query exactly as it arrived, without `?` (empty when there is none). */
  rawQuery: string
  /** Node's lower-cased header map. */
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface Reply {
  status: number
  /** Serialised as JSON; omitted for bodiless answers such as 304. */
  body?: unknown
  headers?: Record<string, string>
  /**
   * The body carries secret values, so it is one of the contract's envelope-required reads
   * (§3.1): encrypted when the request presented `X-E2E-Public-Key`, plain otherwise.
   */
  secretBearing?: boolean
}

export interface ProblemDetails {
  type: string
  title: string
  status: number
  detail: string
}

// ASP.NET Core's defaults, so clients see the same `type` links a real server would send.
const PROBLEM_TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  405: 'https://tools.ietf.org/html/rfc9110#section-15.5.6',
  409: 'https://tools.ietf.org/html/rfc9110#section-15.5.10',
  413: 'https://tools.ietf.org/html/rfc9110#section-15.5.14',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
  502: 'https://tools.ietf.org/html/rfc9110#section-15.6.3',
  503: 'https://tools.ietf.org/html/rfc9110#section-15.6.4',
  504: 'https://tools.ietf.org/html/rfc9110#section-15.6.5',
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
}

export function problem(status: number, detail: string, title = statusTitle(status)): ProblemDetails {
  return {type: PROBLEM_TYPES[status] ?? 'about:blank', title, status, detail}
}

/** Thrown anywhere in the pipeline; rendered as an `application/problem+json` answer. */
export class HttpError extends Error {
  readonly status: number
  readonly title: string
  readonly headers: Record<string, string>

  constructor(status: number, detail: string, options: {title?: string; headers?: Record<string, string>} = {}) {
    super(detail)
    this.name = 'HttpError'
    this.status = status
    this.title = options.title ?? statusTitle(status)
    this.headers = options.headers ?? {}
  }

  toProblem(): ProblemDetails {
    return problem(this.status, this.message, this.title)
  }
}

export const badRequest = (detail: string) => new HttpError(400, detail)
export const unauthorized = (detail: string) => new HttpError(401, detail)
export const forbidden = (detail: string) => new HttpError(403, detail)
export const notFound = (detail: string) => new HttpError(404, detail)

/** A single header value; a repeated header counts as absent rather than guessing which one. */
export function headerValue(headers: IncomingRequest['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return typeof value === 'string' ? value : undefined
}

/** Parses a JSON request body into an object, or fails with a 400 that says why. */
export function jsonObjectBody(request: IncomingRequest): Record<string, unknown> {
  if (request.body.length === 0) throw badRequest('the request needs a JSON object body')
  let parsed: unknown
  try {
    parsed = JSON.parse(request.body.toString('utf8'))
  } catch {
    throw badRequest('the request body is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('the request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}
