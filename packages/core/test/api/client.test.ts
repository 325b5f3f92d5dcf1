import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {
  backoffDelay,
  createApiClient,
  createEphemeralKey,
  defaultRetryPolicy,
  encryptEnvelope,
  getAllEnvironmentSecrets,
  parseApiKey,
  parseRetryAfter,
  signature,
  type ApiClientOptions,
} from '@bella/core'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

const KEY = 'bax-0123456789abcdef0123456789abcdef-37aaf045e1c8d9204f0b58a0e241e120af70f7806c10d944072d6136544c17f4'
let server: Server
let baseUrl: string
let handlers: Handler[]
let seen: {method: string; url: string; headers: IncomingMessage['headers']; body: string}[]

beforeEach(async () => {
  handlers = []
  seen = []
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({method: req.method!, url: req.url!, headers: req.headers, body})
      const handler = handlers.shift()
      if (handler) handler(req, body, res)
      else res.writeHead(500).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())))

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Handler => (_req, _body, res) => {
  res.writeHead(status, {'Content-Type': 'application/json', ...headers}).end(JSON.stringify(value))
}

function client(extra: Partial<ApiClientOptions> = {}) {
  const delays: number[] = []
  const api = createApiClient({
    baseUrl,
    credentials: {kind: 'api-key', key: parseApiKey(KEY), origin: 'BELLA_BAXTER_API_KEY'},
    sleep: async (ms) => void delays.push(ms),
    ...extra,
  })
  return {api, delays}
}

describe('request signing and headers', () => {
  it('signs the exact path, query and body it sends', async () => {
    handlers.push(json(200, {ok: true}))
    const {api} = client({appClient: 'billing'})
    await api.request({method: 'POST', path: '/api/v1/x/y', query: {b: '2', a: 'x y'}, body: {hello: 'wörld'}})
    const req = seen[0]!
    const [path, rawQuery = ''] = req.url.split('?')
    const expected = signature(parseApiKey(KEY).secret, {
      method: 'POST', path: path!, rawQuery, timestamp: req.headers['x-bella-timestamp'] as string, body: req.body,
    })
    expect(req.headers['x-bella-signature']).toBe(expected)
    expect(req.headers['x-bella-key-id']).toBe('0123456789abcdef0123456789abcdef')
    expect(req.headers['x-bella-client']).toBe('bella-cli')
    expect(req.headers['x-app-client']).toBe('billing')
    expect(JSON.stringify(req.headers)).not.toContain('37aaf045')
  })

  it('sends a bearer token without signing', async () => {
    handlers.push(json(200, {}))
    const {api} = client({credentials: {kind: 'bearer', token: 'tok123'}})
    await api.request({method: 'GET', path: '/api/v1/keys/me'})
    expect(seen[0]!.headers.authorization).toBe('Bearer tok123')
    expect(seen[0]!.headers['x-bella-signature']).toBeUndefined()
  })
})

describe('retries', () => {
  it('retries a GET on 503 and succeeds', async () => {
    handlers.push(json(503, {}), json(502, {}), json(200, {v: 1}))
    const {api, delays} = client()
    await expect(api.request({method: 'GET', path: '/api/v1/a'})).resolves.toEqual({v: 1})
    expect(seen).toHaveLength(3)
    expect(delays).toHaveLength(2)
  })

  it('honours Retry-After on 429', async () => {
    handlers.push(json(429, {}, {'Retry-After': '7'}), json(200, {}))
    const {api, delays} = client()
    await api.request({method: 'GET', path: '/api/v1/a'})
    expect(delays).toEqual([7000])
  })

  it('never retries a POST that creates something', async () => {
    handlers.push(json(503, {title: 'down'}))
    const {api} = client()
    await expect(api.request({method: 'POST', path: '/api/v1/api-keys', body: {}})).rejects.toMatchObject({kind: 'unreachable'})
    expect(seen).toHaveLength(1)
  })

  it("prints the server's problem text without its escape sequences or control characters", async () => {
    handlers.push(json(400, {title: 'Bad \u001b[2J\u001b[31mred\u0007', detail: 'line\u2028two'}))
    const {api} = client()
    const error: any = await api.request({method: 'GET', path: '/api/v1/a'}).catch((e) => e)
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain('Bad \\u001b[2J\\u001b[31mred\\u0007')
    expect(error.message).not.toMatch(/[\u0000-\u001f\u2028]/)
  })

  it('gives up after the retry budget with exit code 4 and the status in the message', async () => {
    for (let i = 0; i < 4; i++) handlers.push(json(500, {title: 'Boom'}))
    const {api} = client()
    const error: any = await api.request({method: 'GET', path: '/api/v1/a'}).catch((e) => e)
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('500')
    expect(error.message).toContain('after 4 attempts')
    expect(seen).toHaveLength(1 + defaultRetryPolicy.retries)
  })

  it('reports an unreachable server with exit code 4 and what to check', async () => {
    const {api} = client({baseUrl: 'http://127.0.0.1:1', retry: {retries: 1}})
    const error: any = await api.request({method: 'GET', path: '/api/v1/a'}).catch((e) => e)
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('(ECONNREFUSED: connection refused')
    // Node's own wording ("connect ECONNREFUSED 127.0.0.1:1") stays out: bella says it in its words.
    expect(error.message).not.toContain('connect ECONNREFUSED')
    expect(error.suggestions.join(' ')).toContain('BELLA_BAXTER_URL')
  })

  it('computes backoff within bounds and parses both Retry-After forms', () => {
    const policy = {...defaultRetryPolicy}
    expect(backoffDelay(1, policy, () => 0)).toBe(125)
    expect(backoffDelay(1, policy, () => 1)).toBe(250)
    expect(backoffDelay(10, policy, () => 1)).toBe(policy.maxDelayMs)
    const now = new Date('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})

describe('errors', () => {
  it('maps 401 to exit 3 with the server message and a next step, without the key', async () => {
    handlers.push(json(401, {title: 'Unauthorized', detail: 'signature mismatch'}))
    const {api} = client()
    const error: any = await api.request({method: 'GET', path: '/api/v1/keys/me'}).catch((e) => e)
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('401')
    expect(error.message).toContain('signature mismatch')
    expect(error.suggestions.join(' ')).toContain('BELLA_BAXTER_API_KEY')
    expect(JSON.stringify(error)).not.toContain('37aaf045')
  })

  it('maps 403 to exit 3 and 404 to exit 1', async () => {
    handlers.push(json(403, {title: 'Forbidden'}), json(404, {title: 'Not Found'}))
    const {api} = client()
    await expect(api.request({method: 'GET', path: '/a'})).rejects.toMatchObject({exitCode: 3})
    await expect(api.request({method: 'GET', path: '/b'})).rejects.toMatchObject({exitCode: 1, code: 'api_not_found'})
  })
})

describe('E2EE over HTTP', () => {
  it('presents a key and decrypts the envelope', async () => {
    handlers.push((req, _body, res) => {
      const spki = req.headers['x-e2e-public-key'] as string
      const plaintext = JSON.stringify({environmentSlug: 'dev', environmentName: 'Dev', secrets: {A: '1'}, version: 3, lastModified: 'x'})
      res.writeHead(200, {'Content-Type': 'application/json'}).end(encryptEnvelope(plaintext, spki))
    })
    const {api} = client()
    const result = await getAllEnvironmentSecrets(api, 'my app', 'dev')
    expect(result.secrets).toEqual({A: '1'})
    expect(result.version).toBe(3)
    expect(seen[0]!.url).toBe('/api/v1/projects/my%20app/environments/dev/secrets')
  })

  it('uses the device key when one is configured', async () => {
    const deviceKey = createEphemeralKey()
    handlers.push((req, _body, res) => {
      expect(req.headers['x-e2e-public-key']).toBe(deviceKey.publicKeySpki)
      res.writeHead(200).end(encryptEnvelope('{"secrets":{"B":"2"}}', deviceKey.publicKeySpki))
    })
    const {api} = client({deviceKey})
    expect((await getAllEnvironmentSecrets(api, 'p', 'e')).secrets).toEqual({B: '2'})
  })

  it('fails closed on a plaintext answer, without printing it', async () => {
    handlers.push(json(200, {secrets: {LEAK: 'hunter2'}}))
    const {api} = client()
    const error: any = await getAllEnvironmentSecrets(api, 'p', 'e').catch((e) => e)
    expect(error.code).toBe('e2ee-plaintext-response')
    expect(error.message).not.toContain('hunter2')
  })
})
