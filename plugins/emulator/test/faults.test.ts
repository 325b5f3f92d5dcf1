import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {parseFaultSpec, startEmulator, type Emulator} from '../src/index.js'
import {send, type SendOptions} from './helpers/signed-request.js'

const VERSION = '/api/v1/projects/demo/environments/dev/secrets/version'

let emulator: Emulator
const call = (options: SendOptions) => send(emulator, options)

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

describe('request faults', () => {
  it('answers 503 for the next N requests, then succeeds', async () => {
    emulator.injectFault({type: 'status', status: 503, count: 2})
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call({path: VERSION})).status)
    expect(statuses).toEqual([503, 503, 200])
  })

  it('answers 429 with Retry-After (seconds by default, or as given)', async () => {
    emulator.injectFault({type: 'status', status: 429})
    const first = await call({path: VERSION})
    expect(first.status).toBe(429)
    expect(first.headers['retry-after']).toBe('1')
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(first.json()).toMatchObject({status: 429, title: 'Too Many Requests'})

    const date = 'Wed, 21 Oct 2026 07:28:00 GMT'
    emulator.injectFault({type: 'status', status: 429, retryAfter: 7})
    emulator.injectFault({type: 'status', status: 429, retryAfter: date})
    expect((await call({path: VERSION})).headers['retry-after']).toBe('7')
    expect((await call({path: VERSION})).headers['retry-after']).toBe(date)
  })

  it('answers 500 without Retry-After', async () => {
    emulator.injectFault({type: 'status', status: 500})
    const res = await call({path: VERSION})
    expect(res.status).toBe(500)
    expect(res.headers['retry-after']).toBeUndefined()
  })

  it('applies faults before authentication, like a load balancer would', async () => {
    emulator.injectFault({type: 'status', status: 503})
    expect((await call({path: VERSION, apiKey: null})).status).toBe(503)
  })

  it('only matches the given path prefix and method', async () => {
    emulator.injectFault({type: 'status', status: 500, pathPrefix: '/api/v1/keys', method: 'GET'})
    expect((await call({path: VERSION})).status).toBe(200)
    expect((await call({path: '/api/v1/keys/me'})).status).toBe(500)
    expect((await call({path: '/api/v1/keys/me'})).status).toBe(200)
  })

  it('keeps an "always" fault until cleared', async () => {
    emulator.injectFault({type: 'status', status: 502, count: 'always'})
    for (let i = 0; i < 3; i++) expect((await call({path: VERSION})).status).toBe(502)
    emulator.clearFaults()
    expect((await call({path: VERSION})).status).toBe(200)
  })

  it('delays a request, then answers normally', async () => {
    emulator.injectFault({type: 'delay', delayMs: 300})
    const started = Date.now()
    const res = await call({path: VERSION})
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('does not keep close() waiting for a delayed request', async () => {
    const em = await startEmulator({port: 0})
    em.injectFault({type: 'delay', delayMs: 60_000})
    const pending = send(em, {path: VERSION}).catch((error: Error) => error)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    await em.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await pending).toMatchObject({message: expect.stringMatching(/socket hang up|ECONNRESET/)})
  })

  it('drops the connection for a reset fault', async () => {
    emulator.injectFault({type: 'reset'})
    await expect(call({path: VERSION})).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect((await call({path: VERSION})).status).toBe(200)
  })

  it('answers a huge fault with exactly that many bytes, with or without Content-Length', async () => {
    for (const declareLength of [true, false]) {
      emulator.injectFault({type: 'huge', bytes: 1_000_000, declareLength})
      const answer = await call({path: VERSION})
      expect(answer.status).toBe(200)
      expect(answer.headers['content-length']).toBe(declareLength ? '1000000' : undefined)
      expect(answer.text.length).toBe(1_000_000)
    }
    expect((await call({path: VERSION})).json()).toMatchObject({version: 1})
  })

  it('drips a drip fault a byte at a time without ever finishing, until the client leaves', async () => {
    emulator.injectFault({type: 'drip', intervalMs: 10})
    const {request} = await import('node:http')
    const received = await new Promise<number>((resolve, reject) => {
      const req = request(`${emulator.url}${VERSION}`, (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          if (bytes >= 5) {
            req.destroy()
            resolve(bytes)
          }
        })
        res.on('end', () => reject(new Error('the drip ended')))
      })
      req.on('error', () => {})
      req.end()
    })
    expect(received).toBeGreaterThanOrEqual(5)
    expect(emulator.requests().at(-1)).toMatchObject({status: 200, fault: 'drip every 10ms'})
  })

  it('validates huge and drip faults', () => {
    expect(parseFaultSpec({type: 'huge', bytes: -1})).toMatchObject({ok: false})
    expect(parseFaultSpec({type: 'huge', bytes: 10, declareLength: 'no'})).toMatchObject({ok: false})
    expect(parseFaultSpec({type: 'drip', intervalMs: 0})).toMatchObject({ok: false})
    expect(parseFaultSpec({type: 'drip', intervalMs: 1000})).toEqual({ok: true, spec: {type: 'drip', intervalMs: 1000, count: 1}})
  })

  it('logs the fault that shaped an answer', async () => {
    emulator.clearRequests()
    emulator.injectFault({type: 'status', status: 503})
    await call({path: VERSION})
    expect(emulator.requests()).toEqual([expect.objectContaining({method: 'GET', path: VERSION, status: 503, fault: 'status 503'})])
  })
})

describe('payload faults', () => {
  const ALL = '/api/v1/projects/demo/environments/dev/secrets'
  const PROVIDER_PREFIX = '/api/v1/projects/demo/environments/dev/providers/'

  it('answers a secrets read with the `secrets` field null, an array, missing, or with a non-string value', async () => {
    const shapes: Record<string, (body: Record<string, unknown>) => void> = {
      'secrets-null': (body) => expect(body.secrets).toBeNull(),
      'secrets-array': (body) => expect(body.secrets).toEqual([]),
      'secrets-missing': (body) => expect(Object.hasOwn(body, 'secrets')).toBe(false),
      'value-not-string': (body) => expect(Object.values(body.secrets as object)).toContain(42),
    }
    for (const [mode, check] of Object.entries(shapes)) {
      emulator.injectFault({type: 'payload', mode: mode as 'secrets-null'})
      const body = (await call({path: ALL})).json()
      expect(body).toMatchObject({environmentSlug: 'dev', version: expect.any(Number)})
      check(body)
      expect(Object.keys((await call({path: ALL})).json().secrets).length).toBeGreaterThan(0) // used up
    }
  })

  it('malforms a provider secrets list too (null, or items without a string value)', async () => {
    const providers = (await call({path: '/api/v1/projects/demo/environments/dev/providers'})).json() as {providerSlug: string}[]
    const path = `${PROVIDER_PREFIX}${providers[0]!.providerSlug}/secrets`
    emulator.injectFault({type: 'payload', mode: 'secrets-null'})
    expect((await call({path})).json()).toBeNull()
    emulator.injectFault({type: 'payload', mode: 'value-not-string'})
    expect((await call({path})).json()[0].value).toBe(42)
  })

  it('leaves reads that carry no secrets alone', async () => {
    emulator.injectFault({type: 'payload', mode: 'secrets-null', count: 'always'})
    expect((await call({path: VERSION})).json()).toMatchObject({version: expect.any(Number)})
  })
})

describe('fault admin routes', () => {
  it('arms, lists and clears faults over HTTP, and admin routes are never faulted', async () => {
    const armed = await call({method: 'POST', path: '/__emulator/faults', body: JSON.stringify({type: 'status', status: 503, count: 'always'})})
    expect(armed.status).toBe(201)
    expect(armed.json()).toMatchObject({id: expect.any(Number), type: 'status', status: 503, remaining: 'always'})
    const listed = await call({path: '/__emulator/faults'})
    expect(listed.status).toBe(200)
    expect(listed.json().faults).toHaveLength(1)
    expect((await call({path: VERSION})).status).toBe(503)
    const cleared = await call({method: 'DELETE', path: '/__emulator/faults'})
    expect(cleared.json()).toEqual({cleared: 1})
    expect((await call({path: VERSION})).status).toBe(200)
  })

  it('rejects invalid fault specs with 400', async () => {
    for (const spec of [{type: 'status', status: 200}, {type: 'delay'}, {type: 'nope'}, {type: 'e2ee', mode: 'x'}, {type: 'payload', mode: 'x'}, {type: 'reset', count: 0}, {type: 'reset', extra: 1}]) {
      const res = await call({method: 'POST', path: '/__emulator/faults', body: JSON.stringify(spec)})
      expect(res.status).toBe(400)
    }
  })

  it('requires a valid signature on admin routes', async () => {
    expect((await call({method: 'DELETE', path: '/__emulator/faults', apiKey: null})).status).toBe(401)
  })
})

describe('parseFaultSpec', () => {
  it('fills in count 1 and upper-cases the method', () => {
    expect(parseFaultSpec({type: 'status', status: 503, method: 'get'})).toEqual({ok: true, spec: {type: 'status', status: 503, count: 1, method: 'GET'}})
  })

  it('refuses a path prefix that does not start with /', () => {
    expect(parseFaultSpec({type: 'reset', pathPrefix: 'api'})).toMatchObject({ok: false})
  })
})
