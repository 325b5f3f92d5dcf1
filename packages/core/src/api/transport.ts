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

export const nodeTransport: Transport = async (request) => {
  const lib = request.url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = lib.request(
      request.url,
      {method: request.method, headers: {...request.headers, ...(request.body ? {'Content-Length': String(request.body.length)} : {})}},
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (error: NodeJS.ErrnoException) => reject(new TransportError(error.message, error.code ?? 'ERESPONSE')))
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
      reject(error instanceof TransportError ? error : new TransportError(error.message, error.code ?? 'ENETWORK'))
    })
    req.end(request.body)
  })
}
