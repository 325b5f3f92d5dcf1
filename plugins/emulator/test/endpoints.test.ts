import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../src/index.js'
import {KEYS, multiProjectSeed, SHOP_DEV, SHOP_DEV_ID, SHOP_ID} from './helpers/seeds.js'
import {send, type SendOptions} from './helpers/signed-request.js'

let emulator: Emulator
const as = (apiKey: string) => (options: SendOptions) => send({url: emulator.url, apiKey}, options)
const shopDev = as(KEYS.shopDev)
const shopProject = as(KEYS.shopProject)

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: multiProjectSeed()})
})
afterAll(() => emulator.close())

describe('lookups', () => {
  it('finds a project and an environment by slug or by id', async () => {
    for (const ref of ['shop', SHOP_ID, SHOP_ID.toUpperCase()]) {
      const res = await shopDev({path: `/api/v1/projects/${ref}`})
      expect(res.status).toBe(200)
      expect(res.json()).toMatchObject({id: SHOP_ID, slug: 'shop', name: 'Shop'})
    }
    for (const ref of ['dev', SHOP_DEV_ID]) {
      const res = await shopDev({path: `/api/v1/projects/shop/environments/${ref}`})
      expect(res.status).toBe(200)
      expect(res.json()).toMatchObject({id: SHOP_DEV_ID, slug: 'dev', projectId: SHOP_ID, providerCount: 2, secretCount: 3})
    }
  })

  it('answers 404 ProblemDetails for unknown projects, environments, providers and routes', async () => {
    for (const path of [
      '/api/v1/projects/nope',
      '/api/v1/projects/shop/environments/nope',
      `${SHOP_DEV}/providers/nope/secrets`,
      `${SHOP_DEV}/providers/nope/secrets/hash`,
      '/api/v1/unknown',
      '/',
    ]) {
      const res = await shopDev({path})
      expect(res.status).toBe(404)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({status: 404, title: 'Not Found', detail: expect.any(String)})
    }
  })

  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const res = await shopDev({method: 'DELETE', path: `${SHOP_DEV}/secrets`})
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET')
  })

  it('ignores one trailing slash', async () => {
    expect((await shopDev({path: `${SHOP_DEV}/secrets/`})).status).toBe(200)
  })

  it('decodes percent-encoded path segments', async () => {
    const em = await startEmulator({port: 0, seed: {projects: [{slug: 'café', environments: [{slug: 'dev'}]}]}})
    try {
      const res = await send({url: em.url, apiKey: em.apiKey}, {path: '/api/v1/projects/caf%C3%A9/environments/dev/secrets/version'})
      expect(res.status).toBe(200)
      const bad = await send({url: em.url, apiKey: em.apiKey}, {path: '/api/v1/projects/caf%C3/environments/dev'})
      expect(bad.status).toBe(400)
    } finally {
      await em.close()
    }
  })
})

describe('keys/me', () => {
  it('reports an environment-scoped key with its project and environment', async () => {
    expect((await shopDev({path: '/api/v1/keys/me'})).json()).toEqual({
      keyId: '5a0b1c2d3e4f50617283940a1b2c3d4e',
      role: 'CONSUMER',
      tenantId: expect.any(String),
      tenantSlug: 'local',
      tenantName: 'Local emulator',
      projectId: SHOP_ID,
      projectSlug: 'shop',
      projectName: 'Shop',
      environmentId: SHOP_DEV_ID,
      environmentSlug: 'dev',
      environmentName: 'Development',
    })
  })

  it('reports a project-level key with null environment fields', async () => {
    expect((await shopProject({path: '/api/v1/keys/me'})).json()).toMatchObject({role: 'ADMIN', projectSlug: 'shop', environmentId: null, environmentSlug: null})
  })
})

describe('scope', () => {
  it('answers 403 for another project or environment', async () => {
    for (const path of ['/api/v1/projects/other', '/api/v1/projects/other/environments/dev/secrets', '/api/v1/projects/shop/environments/prod/secrets']) {
      const res = await shopDev({path})
      expect(res.status).toBe(403)
      expect(res.json()).toMatchObject({status: 403, title: 'Forbidden', detail: expect.stringContaining('scoped to another')})
    }
  })

  it('lets a project-level key read every environment of its project, and no other project', async () => {
    expect((await shopProject({path: '/api/v1/projects/shop/environments/prod/secrets'})).status).toBe(200)
    expect((await shopProject({path: '/api/v1/projects/other/environments/dev/secrets/version'})).status).toBe(403)
  })
})

describe('providers and secrets', () => {
  it('lists the providers assigned to an environment with their slugs', async () => {
    const res = await shopDev({path: `${SHOP_DEV}/providers`})
    expect(res.json().map((p: any) => [p.providerSlug, p.providerName, p.providerType, p.region])).toEqual([
      ['vault-dev', 'Vault dev', 'vault', null],
      ['aws-dev', 'AWS dev', 'aws', 'eu-west-1'],
    ])
  })

  it('merges every provider into the environment secrets, later providers winning', async () => {
    const body = (await shopDev({path: `${SHOP_DEV}/secrets`})).json()
    expect(body).toMatchObject({environmentSlug: 'dev', environmentName: 'Development', version: expect.any(Number)})
    expect(body.secrets).toEqual({DATABASE_URL: 'postgres://dev', SHARED: 'from-aws', FEATURE_FLAG: 'true'})
  })

  it('lists one provider secrets as items, addressed by providerSlug', async () => {
    const items = (await shopDev({path: `${SHOP_DEV}/providers/aws-dev/secrets`})).json()
    expect(items).toEqual([
      {key: 'SHARED', value: 'from-aws', description: null, createdAt: expect.any(String), updatedAt: expect.any(String), type: null},
      {key: 'FEATURE_FLAG', value: 'true', description: 'toggle', createdAt: expect.any(String), updatedAt: expect.any(String), type: 'Boolean'},
    ])
  })
})

describe('changes while running', () => {
  const admin = (path: string, body: unknown) => shopDev({method: 'POST', path: `/__emulator/projects/shop/environments/dev${path}`, body: JSON.stringify(body)})
  const version = async () => (await shopDev({path: `${SHOP_DEV}/secrets/version`})).json()
  const hash = async (provider: string) => (await shopDev({path: `${SHOP_DEV}/providers/${provider}/secrets/hash`})).json()

  beforeEach(() => emulator.clearFaults())

  it('bumps the version and lastModified after an admin set, and serves the new value', async () => {
    const before = await version()
    const res = await admin('/secrets', {set: {NEW_KEY: 'new value'}})
    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({environmentSlug: 'dev', version: before.version + 1, changed: ['NEW_KEY']})
    const after = await version()
    expect(after.version).toBe(before.version + 1)
    expect(Date.parse(after.lastModified)).toBeGreaterThanOrEqual(Date.parse(before.lastModified))
    const all = (await shopDev({path: `${SHOP_DEV}/secrets`})).json()
    expect(all.secrets.NEW_KEY).toBe('new value')
    expect(all.version).toBe(after.version)
  })

  it('serves secrets named __proto__, constructor and toString like any other (names are data)', async () => {
    const odd = Object.fromEntries([['__proto__', 'proto-value'], ['constructor', 'ctor-value'], ['toString', 'tostring-value']])
    expect((await admin('/secrets', {set: odd})).status).toBe(200)
    const all = JSON.parse((await shopDev({path: `${SHOP_DEV}/secrets`})).text)
    for (const [name, value] of Object.entries(odd)) expect(Object.getOwnPropertyDescriptor(all.secrets, name)?.value).toBe(value)
    const vault = (await shopDev({path: `${SHOP_DEV}/providers/vault-dev/secrets`})).json() as {key: string; value: string}[]
    expect(vault.filter((s) => Object.hasOwn(odd, s.key)).map((s) => s.key).sort()).toEqual(['__proto__', 'constructor', 'toString'])
    await admin('/secrets', {unset: Object.keys(odd)})
  })

  it('does not bump the version when nothing changed, unless asked to', async () => {
    const before = await version()
    await admin('/secrets', {set: {DATABASE_URL: 'postgres://dev'}})
    expect((await version()).version).toBe(before.version)
    await admin('/secrets', {bump: true})
    expect((await version()).version).toBe(before.version + 1)
  })

  it('changes the hash of the changed provider only', async () => {
    const vault = await hash('vault-dev')
    const aws = await hash('aws-dev')
    await admin('/providers/aws-dev/secrets', {set: {SHARED: 'changed'}})
    expect((await hash('aws-dev')).hash).not.toBe(aws.hash)
    expect((await hash('vault-dev')).hash).toBe(vault.hash)
    // Content-derived: setting the old value back restores the old hash.
    await admin('/providers/aws-dev/secrets', {set: {SHARED: 'from-aws'}})
    expect((await hash('aws-dev')).hash).toBe(aws.hash)
  })

  it('updates the provider whose value is served when no provider is named, and unsets from every provider', async () => {
    await admin('/secrets', {set: {SHARED: 'everywhere'}})
    const items = (await shopDev({path: `${SHOP_DEV}/providers/aws-dev/secrets`})).json()
    expect(items.find((i: any) => i.key === 'SHARED').value).toBe('everywhere')
    const vaultCount = (await hash('vault-dev')).secretCount
    const res = await admin('/secrets', {unset: ['SHARED']})
    expect(res.json().changed).toEqual(['SHARED'])
    expect((await shopDev({path: `${SHOP_DEV}/secrets`})).json().secrets).not.toHaveProperty('SHARED')
    expect((await hash('vault-dev')).secretCount).toBe(vaultCount - 1)
  })

  it('supports If-None-Match on the hash endpoint', async () => {
    const first = await shopDev({path: `${SHOP_DEV}/providers/vault-dev/secrets/hash`})
    const etag = first.headers.etag!
    expect(etag).toBe(`"${first.json().hash}"`)
    const again = await shopDev({path: `${SHOP_DEV}/providers/vault-dev/secrets/hash`, headers: {'If-None-Match': etag}})
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
  })

  it('changes secrets through the in-process method too', async () => {
    const before = await version()
    const result = emulator.setSecrets({project: 'shop', environment: 'dev', provider: 'vault-dev'}, {set: {FROM_TEST: '1'}})
    expect(result.version).toBe(before.version + 1)
    expect((await shopDev({path: `${SHOP_DEV}/secrets`})).json().secrets.FROM_TEST).toBe('1')
  })

  it('rejects malformed admin bodies with 400', async () => {
    for (const body of [{}, {set: {A: 1}}, {unset: 'A'}, {set: {A: 'x'}, unset: ['A']}, {sett: {}}]) {
      const res = await admin('/secrets', body)
      expect(res.status).toBe(400)
      expect(res.json().detail).toEqual(expect.any(String))
    }
    const notJson = await shopDev({method: 'POST', path: '/__emulator/projects/shop/environments/dev/secrets', body: '{nope'})
    expect(notJson.status).toBe(400)
  })

  it('answers 404 for an admin change to an unknown provider', async () => {
    expect((await admin('/providers/nope/secrets', {set: {A: 'b'}})).status).toBe(404)
  })
})
