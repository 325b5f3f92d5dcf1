/**
 * Bounds on what the API client waits for and holds, over real HTTP on loopback: a response body
 * larger than the cap, a server that drips a byte at a time (never idle, never done), retries that
 * would run past the overall deadline, and a Retry-After longer than bella waits. Every failure is
 * an exit-4 error that says which limit, with what, and never holds the body.
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {createApiClient, DEFAULT_DEADLINE_MS, DEFAULT_MAX_RESPONSE_BYTES, parseApiKey, type ApiClientOptions} from '@bella/core'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

const KEY = 'bax-0123456789abcdef0123456789abcdef-37aaf045e1c8d9204f0b58a0e241e120af70f7806c10d944072d6136544c17f4'
let server: Server
let baseUrl: string
let handler: Handler
let requests: number
const timers = new Set<NodeJS.Timeout>()

beforeEach(async () => {
  requests = 0
  server = createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  for (const timer of timers) clearInterval(timer)
  timers.clear()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

function client(extra: Partial<ApiClientOptions> = {}) {
  return createApiClient({baseUrl, credentials: {kind: 'api-key', key: parseApiKey(KEY)}, sleep: async () => {}, ...extra})
}

const failure = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => {
      throw new Error('did not fail')
    },
    (error) => error,
  )

/** Sends `total` bytes of a JSON string in 64 KiB chunks, declaring the length or not. */
const bigBody = (total: number, declareLength: boolean): Handler => (_req, res) => {
  res.writeHead(200, {'Content-Type': 'application/json', ...(declareLength ? {'Content-Length': String(total)} : {})})
  const chunk = Buffer.alloc(64 * 1024, 'x')
  let sent = 0
  const pump = () => {
    while (sent < total) {
      const size = Math.min(chunk.length, total - sent)
      sent += size
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void res.once('drain', pump)
    }
    res.end()
  }
  res.on('error', () => {})
  pump()
}

/** Headers at once, then one byte every `everyMs`, forever: never idle long enough for a socket timeout. */
const drip = (everyMs: number): Handler => (_req, res) => {
  res.writeHead(200, {'Content-Type': 'application/json'})
  res.write('{')
  const timer = setInterval(() => res.write(' '), everyMs)
  timers.add(timer)
  res.on('close', () => clearInterval(timer))
}

describe('response size cap', () => {
  it('defaults to 64 MiB and a 30 s deadline', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024)
    expect(DEFAULT_DEADLINE_MS).toBe(30_000)
  })

  for (const declareLength of [true, false]) {
    it(`refuses a body over the cap (${declareLength ? 'declared by Content-Length' : 'streamed without a length'}), naming the URL and the limit, without retrying`, async () => {
      handler = bigBody(3 * 1024 * 1024, declareLength)
      const error = await failure(client({maxResponseBytes: 1024 * 1024}).request({method: 'GET', path: '/api/v1/big'}))
      expect(error).toMatchObject({kind: 'unreachable', exitCode: 4, code: 'api_response_too_large'})
      expect(error.message).toContain(`${baseUrl}/api/v1/big`)
      expect(error.message).toContain('1 MiB')
      expect(requests).toBe(1)
    })
  }

  it('accepts a body up to the cap', async () => {
    handler = (_req, res) => res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({v: 'x'.repeat(1000)}))
    await expect(client({maxResponseBytes: 1010}).request({method: 'GET', path: '/api/v1/a'})).resolves.toEqual({v: 'x'.repeat(1000)})
  })
})

describe('overall deadline', () => {
  it('ends a request whose body drips in forever, saying the deadline was exceeded and naming the host', async () => {
    handler = drip(20)
    const error = await failure(client({deadlineMs: 500, timeoutMs: 10_000}).request({method: 'GET', path: '/api/v1/slow'}))
    expect(error).toMatchObject({kind: 'unreachable', exitCode: 4, code: 'api_deadline_exceeded'})
    expect(error.message).toMatch(/deadline .*exceeded/)
    expect(error.message).toContain('127.0.0.1')
  })

  it('covers retries: no attempt or retry wait starts past the deadline', async () => {
    handler = (_req, res) => res.writeHead(503, {'Retry-After': '1'}).end()
    const waits: number[] = []
    const api = client({
      deadlineMs: 1500,
      retry: {retries: 10},
      sleep: (ms) => {
        waits.push(ms)
        return new Promise((resolve) => setTimeout(resolve, ms))
      },
    })
    const error = await failure(api.request({method: 'GET', path: '/api/v1/busy'}))
    expect(error).toMatchObject({exitCode: 4, code: 'api_deadline_exceeded'})
    expect(requests).toBeLessThan(4)
    expect(waits.length).toBeLessThan(3)
  })
})

describe('Retry-After longer than bella waits', () => {
  it('says how long the server asked for', async () => {
    handler = (_req, res) => res.writeHead(429, {'Retry-After': '120'}).end()
    const error = await failure(client().request({method: 'GET', path: '/api/v1/a'}))
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('429')
    expect(error.message).toMatch(/asked to retry after 120 s/)
    expect(error.message).toMatch(/longer than the 30 s bella waits/)
    expect(requests).toBe(1)
  })
})
