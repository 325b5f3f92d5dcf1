/**
 * The watch loop's HTTP: core's node:http transport plus an AbortSignal. When the child exits (or
 * bella is told to stop) while a poll is in flight, the request is dropped at once instead of
 * holding bella open until its timeout, which under `docker stop` would turn a clean exit into a
 * SIGKILL.
 */
import {TransportError, type HttpResponse, type Transport} from '@bella/core/runtime'

const stopping = () => new TransportError('bella is stopping', 'EABORTED')

export function abortableTransport(signal: AbortSignal): Transport {
  return async (request) => {
    if (signal.aborted) throw stopping()
    const lib = request.url.protocol === 'https:' ? await import('node:https') : await import('node:http')
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = lib.request(
        request.url,
        {
          method: request.method,
          headers: {...request.headers, ...(request.body ? {'Content-Length': String(request.body.length)} : {})},
          signal,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', (error: NodeJS.ErrnoException) =>
            reject(signal.aborted ? stopping() : new TransportError(error.message, error.code ?? 'ERESPONSE')),
          )
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
        if (signal.aborted) reject(stopping())
        else reject(error instanceof TransportError ? error : new TransportError(error.message, error.code ?? 'ENETWORK'))
      })
      req.end(request.body)
    })
  }
}

/** A sleep for the client's retry delays that ends (rejects) as soon as `signal` aborts. */
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
