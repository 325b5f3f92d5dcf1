/**
 * The dynamic-credentials routes up to the point where PostgreSQL would be needed: everything a
 * request can get wrong is answered before the emulator connects to a database, so these run
 * anywhere. The PostgreSQL side is in dynamic-postgres.test.ts.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../src/index.js'
import {dynamicSeed} from './helpers/dynamic-seed.js'
import {KEYS} from './helpers/seeds.js'
import {send, type SendOptions} from './helpers/signed-request.js'

const BASE = '/api/v1/projects/shop/environments/dev/providers'
let emulator: Emulator
const call = (options: SendOptions) => send({url: emulator.url, apiKey: KEYS.shopDev}, options)
const generate = (provider: string, body: unknown) =>
  call({method: 'POST', path: `${BASE}/${provider}/credentials/generate`, body: JSON.stringify(body)})

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: dynamicSeed()})
})
afterAll(() => emulator.close())

describe('GET …/credentials/roles', () => {
  it("lists a database provider's roles", async () => {
    const res = await call({path: `${BASE}/pg/credentials/roles`})
    expect(res.status).toBe(200)
    expect(res.json()).toEqual(['readonly', 'migrate'])
    expect((await call({path: `${BASE}/pg-empty/credentials/roles`})).json()).toEqual([])
  })

  it('refuses a provider that is not a database provider (400), an unknown one (404), another scope (403)', async () => {
    const vault = await call({path: `${BASE}/vault/credentials/roles`})
    expect(vault.status).toBe(400)
    expect(vault.json().detail).toBe('provider "vault" (type vault) is not a database provider and issues no credentials; database providers here: pg, pg-many, pg-empty')
    expect((await call({path: `${BASE}/nope/credentials/roles`})).status).toBe(404)
    const foreign = await send({url: emulator.url, apiKey: KEYS.shopProject}, {path: `${BASE}/pg/credentials/roles`})
    expect(foreign.status).toBe(403)
  })
})

describe('POST …/credentials/generate, refused before any database is involved', () => {
  it.each<[string, string, unknown, number, string]>([
    ['an unknown provider', 'nope', {role: null, ttlSeconds: null}, 404, 'provider "nope" is not assigned to environment "dev"'],
    ['a provider that is not a database provider', 'vault', {role: null, ttlSeconds: null}, 400, 'is not a database provider'],
    ['an unknown role', 'pg', {role: 'admin', ttlSeconds: null}, 400, 'provider "pg" has no role "admin"; its roles are: readonly, migrate'],
    ['a TTL above the role maximum', 'pg', {role: 'migrate', ttlSeconds: 61}, 400, 'ttlSeconds 61 is more than the maximum of 60 seconds for role "migrate" of provider "pg"'],
    ['a TTL above the provider maximum', 'pg', {role: null, ttlSeconds: 601}, 400, 'ttlSeconds 601 is more than the maximum of 600'],
    ['a zero TTL', 'pg', {role: null, ttlSeconds: 0}, 400, 'ttlSeconds must be at least 1'],
    ['a fractional TTL', 'pg', {role: null, ttlSeconds: 1.5}, 400, '"ttlSeconds" must be a whole number of seconds or null'],
    ['no role when there is no default', 'pg-many', {role: null, ttlSeconds: null}, 400, 'provider "pg-many" has no default role; name one of: a, b'],
    ['a provider without roles', 'pg-empty', {role: null, ttlSeconds: null}, 400, 'provider "pg-empty" has no roles configured'],
    ['an unknown field', 'pg', {role: null, ttl: 5}, 400, 'unknown field(s): ttl'],
    ['a role that is not a string', 'pg', {role: 5, ttlSeconds: null}, 400, '"role" must be a role name or null'],
  ])('%s', async (_what, provider, body, status, detail) => {
    const res = await generate(provider, body)
    expect(res.status).toBe(status)
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/)
    expect(res.json().detail).toContain(detail)
  })

  it('shows a hostile role name quoted and cut short, never raw', async () => {
    const res = await generate('pg', {role: `\u001b[2J${'x'.repeat(100)}`, ttlSeconds: null})
    expect(res.status).toBe(400)
    expect(res.json().detail).toContain('"\\u001b[2Jxxx')
    expect(res.json().detail).toContain('…"')
  })

  it('without --postgres-url a valid request is 503 and says how to configure it', async () => {
    const res = await generate('pg', {role: null, ttlSeconds: 30})
    expect(res.status).toBe(503)
    expect(res.json().detail).toContain('--postgres-url')
    expect(emulator.dynamicCredentials.list()).toEqual([])
  })

  it('needs a signed request', async () => {
    const res = await call({method: 'POST', path: `${BASE}/pg/credentials/generate`, body: '{}', apiKey: null})
    expect(res.status).toBe(401)
  })
})

describe('the --postgres-url option', () => {
  it('refuses a server that is not on this machine, without echoing the password', async () => {
    await expect(startEmulator({port: 0, seed: dynamicSeed(), postgres: {adminUrl: 'postgres://a:hunter2@db.example.com/x'}})).rejects.toThrow(
      /only connects to a PostgreSQL server on this machine/,
    )
    await expect(startEmulator({port: 0, seed: dynamicSeed(), postgres: {adminUrl: 'postgres://a:hunter2@db.example.com/x'}})).rejects.not.toThrow(/hunter2/)
  })

  it('answers 503 naming the server (not the password) when it cannot be reached', async () => {
    const unreachable = await startEmulator({port: 0, seed: dynamicSeed(), postgres: {adminUrl: 'postgres://admin:hunter2@127.0.0.1:1/app'}})
    try {
      expect(unreachable.dynamicCredentials.describe()).toBe('admin@127.0.0.1:1/app')
      const res = await send({url: unreachable.url, apiKey: KEYS.shopDev}, {method: 'POST', path: `${BASE}/pg/credentials/generate`, body: '{"role":null,"ttlSeconds":null}'})
      expect(res.status).toBe(503)
      expect(res.json().detail).toMatch(/^cannot connect to PostgreSQL as admin@127\.0\.0\.1:1\/app: /)
      expect(res.text).not.toContain('hunter2')
    } finally {
      await unreachable.close()
    }
  })
})
