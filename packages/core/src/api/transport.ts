/**
 * One HTTP attempt over node:http(s). Deliberately not fetch or got: on Node 20 the first fetch
 * boots undici (+~150 ms) and importing got costs ~120 ms, which alone would break the
 * `bella run` start-up budget; node:http costs ~10 ms. Retries live in the client, not here.
 */
import type {IncomingHttpHeaders} from 'node:http'

export interface HttpRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: Buffer
  timeoutMs: number
}

export interface HttpResponse {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  body: string
}

/** A failure below HTTP: refused, reset, DNS, TLS, or the timeout. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>

const stopping = () => new TransportError('bella is stopping', 'EABORTED')

/**
 * node:http(s) transport. With `signal`, aborting drops an in-flight request at once instead of
 * holding bella open until its timeout (a watcher told to stop must not wait out a poll).
 */
export function createNodeTransport(signal?: AbortSignal): Transport {
  return async (request) => {
    if (signal?.aborted) throw stopping()
    const lib = request.url.protocol === 'https:' ? await import('node:https') : await import('node:http')
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (error: TransportError) => reject(signal?.aborted ? stopping() : error)
      const req = lib.request(
        request.url,
        {
          method: request.method,
          headers: {...request.headers, ...(request.body ? {'Content-Length': String(request.body.length)} : {})},
          ...(signal ? {signal} : {}),
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', (error: NodeJS.ErrnoException) => fail(new TransportError(error.message, error.code ?? 'ERESPONSE')))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          )
        },
      )
      req.setTimeout(request.timeoutMs, () => {
        req.destroy(new TransportError(`no response within ${request.timeoutMs} ms`, 'ETIMEDOUT'))
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(error instanceof TransportError ? error : new TransportError(error.message, error.code ?? 'ENETWORK'))
      })
      req.end(request.body)
    })
  }
}

export const nodeTransport: Transport = createNodeTransport()

/** A sleep for retry delays that ends (rejects) as soon as `signal` aborts. */
export function abortableSleep(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(stopping())
      const onAbort = () => {
        clearTimeout(timer)
        reject(stopping())
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal.addEventListener('abort', onAbort, {once: true})
    })
}
