/**
 * The node:http side: read the request exactly as it arrived, run it through
 * faults → authentication → routing → (E2EE sealing), and write the answer. The request log gets
 * method, raw path (no query), status and sizes, never bodies or credentials.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {setTimeout as sleep} from 'node:timers/promises'
import {authenticate} from './auth/authenticate.js'
import {presentedPublicKey, sealPlaintext} from './e2ee-reply.js'
import {malformPayload, type FaultInjector, type RequestFault} from './faults.js'
import {HttpError, problem, type IncomingRequest, type Reply} from './http.js'
import {pathSegments, Router} from './router.js'
import {addAdminRoutes, isAdminPath} from './routes/admin-routes.js'
import {addApiRoutes} from './routes/api-routes.js'
import {addCredentialRoutes} from './routes/credential-routes.js'
import {DynamicCredentials} from './dynamic/credentials.js'
import {addKeyRoutes} from './routes/key-routes.js'
import {addSecretRoutes} from './routes/secret-routes.js'
import {answerPublicRoute} from './routes/token-routes.js'
import type {Handler} from './routes/context.js'
import type {EmulatorState} from './state.js'

const MAX_BODY_BYTES = 1024 * 1024

export interface RequestLogEntry {
  time: string
  method: string
  /** Raw path as sent, without the query. */
  path: string
  /** 0 when the connection was dropped on purpose (a `reset` fault). */
  status: number
  durationMs: number
  requestBytes: number
  responseBytes: number
  /** True when the answer was an E2EE envelope (or a deliberately broken one). */
  encrypted: boolean
  /** The injected fault that shaped this answer, if any. */
  fault?: string
}

export interface PipelineDeps {
  state: EmulatorState
  faults: FaultInjector
  now: () => Date
  /** Aborted on close, so requests parked by a `delay` fault give up instead of holding it open. */
  closing: AbortSignal
  onRequest: (entry: RequestLogEntry) => void
  /** Unexpected errors (emulator bugs); the client only sees a generic 500. */
  onError: (error: unknown) => void
  /** Dynamic database credentials; default: none configured (generate answers 503). */
  dynamic?: DynamicCredentials
}

interface Answer {
  status: number
  headers: Record<string, string>
  body?: string
  encrypted?: boolean
  fault?: string
}

export function createRouter(): Router<Handler> {
  const router = new Router<Handler>()
  addApiRoutes(router)
  addKeyRoutes(router)
  addSecretRoutes(router)
  addAdminRoutes(router)
  return router
}

/** Splits a request target into raw path and raw query, exactly as they were sent. */
export function splitTarget(target: string): {rawPath: string; rawQuery: string} {
  // Absolute-form targets (`GET http://host/path`) come from proxies; keep only the path.
  const withoutOrigin = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/' : target
  const hash = withoutOrigin.indexOf('#')
  const noFragment = hash === -1 ? withoutOrigin : withoutOrigin.slice(0, hash)
  const q = noFragment.indexOf('?')
  return q === -1 ? {rawPath: noFragment, rawQuery: ''} : {rawPath: noFragment.slice(0, q), rawQuery: noFragment.slice(q + 1)}
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function problemAnswer(error: HttpError, fault?: string): Answer {
  return {
    status: error.status,
    headers: {'Content-Type': 'application/problem+json; charset=utf-8', ...error.headers},
    body: JSON.stringify(error.toProblem()),
    ...(fault ? {fault} : {}),
  }
}

function faultAnswer(fault: Extract<RequestFault, {type: 'status'}>): Answer {
  const headers: Record<string, string> = {}
  const retryAfter = fault.retryAfter ?? (fault.status === 429 || fault.status === 503 ? 1 : undefined)
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter)
  const error = new HttpError(fault.status, `injected fault: this request was answered with ${fault.status} on purpose`, {headers})
  return problemAnswer(error, `status ${fault.status}`)
}

/**
 * The `huge` and `drip` faults: a 200 whose JSON-string body is streamed in 64 KiB chunks (with
 * backpressure, never built in memory), or trickles a byte at a time and never ends.
 */
function streamFault(fault: Extract<RequestFault, {type: 'huge' | 'drip'}>, res: ServerResponse, closing: AbortSignal): void {
  res.on('error', () => {})
  if (fault.type === 'drip') {
    res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store'})
    res.write('"')
    const timer = setInterval(() => res.write('x'), fault.intervalMs)
    const stop = () => {
      clearInterval(timer)
      res.destroy()
    }
    res.on('close', () => clearInterval(timer))
    closing.addEventListener('abort', stop, {once: true})
    return
  }
  const headers: Record<string, string> = {'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store'}
  if (fault.declareLength !== false) headers['Content-Length'] = String(fault.bytes)
  res.writeHead(200, headers)
  const chunk = Buffer.alloc(64 * 1024, 'x')
  let left = fault.bytes
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const size = Math.min(chunk.length, left)
      left -= size
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void res.once('drain', pump)
    }
    if (!res.destroyed) res.end()
  }
  pump()
}

export function createRequestListener(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createRouter()
  addCredentialRoutes(router, deps.dynamic ?? new DynamicCredentials())

  async function dispatch(request: IncomingRequest): Promise<Answer> {
    // The OIDC exchange (POST /api/v1/token) is how a caller without a key gets one.
    const publicReply = answerPublicRoute(request, deps.state, deps.now())
    if (publicReply) return toAnswer(request, publicReply)
    const principal = authenticate(request, deps.state, deps.now())
    const segments = pathSegments(request.rawPath)
    const match = router.match(request.method, segments)
    if (match.kind === 'not-found') throw new HttpError(404, `no such endpoint: ${request.method} ${request.rawPath}`)
    if (match.kind === 'method-not-allowed') {
      throw new HttpError(405, `${request.method} is not supported here (allowed: ${match.allowed.join(', ')})`, {
        headers: {Allow: match.allowed.join(', ')},
      })
    }
    const reply: Reply = await match.handler({
      state: deps.state,
      faults: deps.faults,
      principal,
      request,
      params: match.params,
      now: deps.now(),
    })
    return toAnswer(request, reply)
  }

  function toAnswer(request: IncomingRequest, reply: Reply): Answer {
    const headers: Record<string, string> = {'Cache-Control': 'no-store', ...reply.headers}
    if (reply.body === undefined) return {status: reply.status, headers}
    headers['Content-Type'] = 'application/json; charset=utf-8'
    const malformed = reply.secretBearing ? deps.faults.takePayloadFault(request.method, request.rawPath) : undefined
    const plaintext = JSON.stringify(malformed ? malformPayload(reply.body, malformed) : reply.body)
    const clientKey = reply.secretBearing ? presentedPublicKey(request) : undefined
    const payloadFault = malformed ? {fault: `payload ${malformed}`} : {}
    if (!clientKey) return {status: reply.status, headers, body: plaintext, ...payloadFault}
    const fault = deps.faults.takeE2eeFault(request.method, request.rawPath)
    return {
      status: reply.status,
      headers,
      body: sealPlaintext(plaintext, clientKey, fault),
      encrypted: true,
      ...payloadFault,
      ...(fault ? {fault: `e2ee ${fault}`} : {}),
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    // The emulator's own clock (tests move it), as a real server's Date header tells its time.
    res.setHeader('Date', deps.now().toUTCString())
    const method = (req.method ?? 'GET').toUpperCase()
    const {rawPath, rawQuery} = splitTarget(req.url ?? '/')
    let requestBytes = 0
    const log = (answer: Pick<Answer, 'status' | 'body' | 'encrypted' | 'fault'>) =>
      deps.onRequest({
        time: new Date().toISOString(),
        method,
        path: rawPath,
        status: answer.status,
        durationMs: Math.round(performance.now() - started),
        requestBytes,
        responseBytes: answer.body === undefined ? 0 : Buffer.byteLength(answer.body),
        encrypted: answer.encrypted ?? false,
        ...(answer.fault ? {fault: answer.fault} : {}),
      })

    let answer: Answer
    try {
      const body = await readBody(req)
      requestBytes = body.length
      const request: IncomingRequest = {method, rawPath, rawQuery, headers: req.headers, body}
      const fault = isAdminPath(rawPath) ? undefined : deps.faults.takeRequestFault(method, rawPath)
      if (fault?.type === 'reset') {
        req.socket.destroy()
        log({status: 0, fault: 'reset'})
        return
      }
      if (fault?.type === 'huge' || fault?.type === 'drip') {
        streamFault(fault, res, deps.closing)
        log({status: 200, fault: fault.type === 'huge' ? `huge ${fault.bytes} bytes` : `drip every ${fault.intervalMs}ms`})
        return
      }
      if (fault?.type === 'delay') await sleep(fault.delayMs, undefined, {signal: deps.closing})
      answer = fault?.type === 'status' ? faultAnswer(fault) : await dispatch(request)
      if (fault?.type === 'delay') answer.fault = `delay ${fault.delayMs}ms`
    } catch (error) {
      if (deps.closing.aborted) return
      if (error instanceof HttpError) {
        answer = problemAnswer(error)
      } else {
        deps.onError(error)
        answer = problemAnswer(new HttpError(500, 'the emulator failed to handle this request; see its log'))
      }
      // The rest of an oversized body is never read, so the connection cannot be reused.
      if (answer.status === 413) answer.headers.Connection = 'close'
    }
    if (res.destroyed || res.writableEnded) return
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
    log(answer)
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.onError(error)
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, {'Content-Type': 'application/problem+json; charset=utf-8'})
        res.end(JSON.stringify(problem(500, 'the emulator failed to handle this request; see its log')))
      }
    })
  }
}
