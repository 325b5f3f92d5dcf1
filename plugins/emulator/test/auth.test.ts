import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../src/index.js'
import {KEYS, multiProjectSeed, SHOP_DEV} from './helpers/seeds.js'
import {flipOneChar, send, signedHeaders, type TestResponse} from './helpers/signed-request.js'

let emulator: Emulator
const target = () => ({url: emulator.url, apiKey: KEYS.shopDev})

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: multiProjectSeed()})
})
afterAll(() => emulator.close())

function expectProblem(res: TestResponse, status: number, detail: RegExp): void {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = res.json()
  expect(body).toEqual({type: expect.any(String), title: expect.any(String), status, detail: expect.stringMatching(detail)})
}

describe('HMAC authentication over HTTP', () => {
  it('accepts a correctly signed request', async () => {
    const res = await send(target(), {path: '/api/v1/keys/me'})
    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({keyId: '5a0b1c2d3e4f50617283940a1b2c3d4e', projectSlug: 'shop', environmentSlug: 'dev'})
  })

  it('accepts a signed POST with a body, and a signed query with encoded and bare parameters', async () => {
    const admin = await send(target(), {method: 'POST', path: '/__emulator/projects/shop/environments/prod/secrets', body: '{"bump":true}'})
    expect(admin.status).toBe(200)
    const query = await send(target(), {path: `${SHOP_DEV}/secrets/version?b=2&a=%C3%A9&flag`})
    expect(query.status).toBe(200)
  })

  it('rejects a tampered signature', async () => {
    const headers = signedHeaders(KEYS.shopDev, {method: 'GET', path: '/api/v1/keys/me'})
    const res = await send(target(), {path: '/api/v1/keys/me', headers: {'X-Bella-Signature': flipOneChar(headers['X-Bella-Signature']!, 10)}})
    expectProblem(res, 401, /X-Bella-Signature does not match/)
  })

  it('rejects a tampered body', async () => {
    const path = '/__emulator/projects/shop/environments/prod/secrets'
    const res = await send(target(), {method: 'POST', path, body: '{"set":{"A":"2"}}', signAs: {body: '{"set":{"A":"1"}}'}})
    expectProblem(res, 401, /does not match/)
  })

  it('rejects a tampered query', async () => {
    const res = await send(target(), {path: `${SHOP_DEV}/secrets/version?page=2`, signAs: {path: `${SHOP_DEV}/secrets/version?page=1`}})
    expectProblem(res, 401, /does not match/)
  })

  it('rejects a tampered path and method', async () => {
    const path = await send(target(), {path: '/api/v1/projects/shop', signAs: {path: '/api/v1/projects/other'}})
    expectProblem(path, 401, /does not match/)
    const method = await send(target(), {method: 'GET', path: '/api/v1/keys/me', signAs: {method: 'POST'}})
    expectProblem(method, 401, /does not match/)
  })

  it('rejects an unknown key id without echoing it', async () => {
    const unknown = 'bax-0000000000000000000000000000beef-00112233445566778899aabbccddeeff'
    const res = await send(target(), {path: '/api/v1/keys/me', apiKey: unknown})
    expectProblem(res, 401, /key id .* is not known/)
    expect(res.text).not.toContain('beef')
  })

  it('rejects a timestamp older than 5 minutes, and one too far in the future', async () => {
    const old = await send(target(), {path: '/api/v1/keys/me', at: new Date(Date.now() - 5 * 60_000 - 2000)})
    expectProblem(old, 401, /more than 5 minutes away/)
    const future = await send(target(), {path: '/api/v1/keys/me', at: new Date(Date.now() + 6 * 60_000)})
    expectProblem(future, 401, /more than 5 minutes away/)
  })

  it('rejects a malformed timestamp and missing headers', async () => {
    const malformed = await send(target(), {path: '/api/v1/keys/me', headers: {'X-Bella-Timestamp': new Date().toISOString()}})
    expectProblem(malformed, 401, /X-Bella-Timestamp is malformed/)
    const unsigned = await send(target(), {path: '/api/v1/keys/me', apiKey: null})
    expectProblem(unsigned, 401, /no credentials/)
    const partial = await send(target(), {path: '/api/v1/keys/me', apiKey: null, headers: {'X-Bella-Key-Id': '5a0b1c2d3e4f50617283940a1b2c3d4e'}})
    expectProblem(partial, 401, /missing HMAC header\(s\): X-Bella-Timestamp, X-Bella-Signature/)
  })

  it('rejects revoked and expired keys, even when correctly signed', async () => {
    expectProblem(await send(target(), {path: '/api/v1/keys/me', apiKey: KEYS.revoked}), 401, /revoked/)
    expectProblem(await send(target(), {path: '/api/v1/keys/me', apiKey: KEYS.expired}), 401, /expired/)
  })

  it('answers 401 before revealing whether a route exists', async () => {
    expectProblem(await send(target(), {path: '/api/v1/nope', apiKey: null}), 401, /no credentials/)
  })

  it('never echoes the signature, the key secret or the request body in an error', async () => {
    const headers = signedHeaders(KEYS.shopDev, {method: 'GET', path: '/api/v1/keys/me'})
    const bad = flipOneChar(headers['X-Bella-Signature']!, 3)
    const res = await send(target(), {path: '/api/v1/keys/me', headers: {'X-Bella-Signature': bad}})
    expect(res.text).not.toContain(bad)
    expect(res.text).not.toContain(KEYS.shopDev.split('-')[2]!)
  })
})

describe('Bearer tokens', () => {
  it('accepts a token from the seed and reports its context', async () => {
    const res = await send(target(), {path: '/api/v1/keys/me', apiKey: null, headers: {Authorization: 'Bearer tok-shop-dev'}})
    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({projectSlug: 'shop', environmentSlug: 'dev', role: 'CONSUMER'})
  })

  it('accepts a token added at run time, and refuses unknown and expired tokens', async () => {
    emulator.addToken({token: 'tok-later', project: 'shop', environment: 'dev'})
    emulator.addToken({token: 'tok-old', project: 'shop', expires: new Date(Date.now() - 1000)})
    const bearer = (token: string) => send(target(), {path: `${SHOP_DEV}/secrets/version`, apiKey: null, headers: {Authorization: `Bearer ${token}`}})
    expect((await bearer('tok-later')).status).toBe(200)
    expectProblem(await bearer('tok-nope'), 401, /bearer token is not known/)
    expectProblem(await bearer('tok-old'), 401, /expired/)
  })

  it('refuses a malformed Authorization header', async () => {
    const res = await send(target(), {path: '/api/v1/keys/me', apiKey: null, headers: {Authorization: 'Basic dXNlcjpwYXNz'}})
    expectProblem(res, 401, /must be "Bearer <token>"/)
  })
})

describe('revocation while running', () => {
  it('refuses a key once the admin route revoked it', async () => {
    const em = await startEmulator({port: 0})
    try {
      const t = {url: em.url, apiKey: em.apiKey}
      expect((await send(t, {path: '/api/v1/keys/me'})).status).toBe(200)
      const id = em.apiKeys[0]!.id
      expect((await send(t, {method: 'POST', path: `/__emulator/keys/${id}/revoke`})).status).toBe(200)
      expectProblem(await send(t, {path: '/api/v1/keys/me'}), 401, /revoked/)
    } finally {
      await em.close()
    }
  })
})
