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
    /** Node's or OpenSSL's own words, for classifying only (hints.ts); never shown: they may quote anything. */
    readonly nodeMessage?: string,
  ) {
    super(message)
    this.name = 'TransportError'
  }

  /** A socket, DNS or TLS error from Node, described in bella's words by its code. */
  static fromNode(error: NodeJS.ErrnoException, fallbackCode: string): TransportError {
    const code = error.code ?? fallbackCode
    return new TransportError(describeNetworkCode(code), code, error.message)
  }
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address and port',
  ECONNRESET: 'the connection was reset by the other end',
  EPIPE: 'the connection was closed while bella was sending',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name was not found (DNS)',
  EAI_AGAIN: 'the host name could not be looked up right now (DNS)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  EADDRNOTAVAIL: 'the address is not available from this machine',
  ECONNABORTED: 'the connection was aborted',
  EPROTO: 'a TLS protocol error',
  ERR_SSL_WRONG_VERSION_NUMBER: 'a TLS protocol error (the other end may not speak TLS)',
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate chain holds a self-signed certificate (set NODE_EXTRA_CA_CERTS to trust its CA)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS to trust its CA)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's TLS certificate issuer is not trusted here (set NODE_EXTRA_CA_CERTS to trust its CA)",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is not for this host name",
}

function describeNetworkCode(code: string): string {
  return NETWORK_CODES[code] ?? (/CERT|SSL|TLS/.test(code) ? 'a TLS certificate or protocol problem' : 'a network error')
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
          res.on('error', (error: NodeJS.ErrnoException) => fail(error instanceof TransportError ? error : TransportError.fromNode(error, 'ERESPONSE')))
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
        fail(error instanceof TransportError ? error : TransportError.fromNode(error, 'ENETWORK'))
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
