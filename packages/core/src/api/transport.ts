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
  /** Idle timeout: no bytes for this long fails the attempt. */
  timeoutMs: number
  /** Hard limit for the whole attempt, however steadily bytes arrive (the request's deadline). */
  deadlineMs?: number
  /** A body larger than this fails the attempt (ETOOLARGE) as soon as it is known, never buffered. */
  maxResponseBytes?: number
}

export interface HttpResponse {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A failure below HTTP: refused, reset, DNS, TLS, the idle timeout (ETIMEDOUT), the attempt's
 * deadline (EDEADLINE), or a body over the size cap (ETOOLARGE).
 */
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
      let deadline: NodeJS.Timeout | undefined
      // Why we ended it ourselves: reported rather than the socket errors that follow.
      let reason: TransportError | undefined
      const fail = (error: TransportError) => {
        clearTimeout(deadline)
        reject(signal?.aborted ? stopping() : (reason ?? error))
      }
      const abort = (error: TransportError) => {
        reason ??= error
        req.destroy(error)
      }
      const max = request.maxResponseBytes ?? Number.POSITIVE_INFINITY
      const tooLarge = (size: string) => new TransportError(size, 'ETOOLARGE')
      const req = lib.request(
        request.url,
        {
          method: request.method,
          headers: {...request.headers, ...(request.body ? {'Content-Length': String(request.body.length)} : {})},
          ...(signal ? {signal} : {}),
        },
        (res) => {
          const declared = Number(res.headers['content-length'])
          if (declared > max) return void abort(tooLarge(`Content-Length ${declared}`))
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            // Dropped at once: holding what came so far is what let a 600 MB answer crash bella.
            if (size > max) {
              chunks.length = 0
              return void abort(tooLarge(`more than ${size} bytes`))
            }
            chunks.push(chunk)
          })
          res.on('error', (error: NodeJS.ErrnoException) => fail(error instanceof TransportError ? error : new TransportError(error.message, error.code ?? 'ERESPONSE')))
          res.on('end', () => {
            clearTimeout(deadline)
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            })
          })
        },
      )
      req.setTimeout(request.timeoutMs, () => {
        abort(new TransportError(`no response within ${request.timeoutMs} ms`, 'ETIMEDOUT'))
      })
      if (request.deadlineMs !== undefined) {
        deadline = setTimeout(() => abort(new TransportError(`no complete answer within ${request.deadlineMs} ms`, 'EDEADLINE')), request.deadlineMs)
      }
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

/** `64 MiB`, `1.5 KiB`, `12 bytes`: for messages. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']]
  for (const [size, unit] of units) if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`
  return `${bytes} bytes`
}
