/**
 * API keys and scoped tokens: create/list/get/delete and tokens/issue, checked for behaviour
 * (a created key works at once, a revoked one is refused at once, an issued one reaches only its
 * scopes and expires) and for shape (every response validated against contract/openapi.json).
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {createEphemeralKey, decryptEnvelope} from '@bella/core'
import {startEmulator, type Emulator, type EmulatorSeed} from '../src/index.js'
import {describeErrors, responseSchemaPointer, responseValidator, undeclaredProperties, validatorFor} from './helpers/openapi-validator.js'
import {send, type SendOptions, type TestResponse} from './helpers/signed-request.js'

const KEYS = {
  manager: 'bax-9a0b1c2d3e4f50617283940a1b2c3d4e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  consumer: 'bax-9b0b1c2d3e4f50617283940a1b2c3d4e-ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100',
  otherProject: 'bax-9c0b1c2d3e4f50617283940a1b2c3d4e-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  projectAdmin: 'bax-9d0b1c2d3e4f50617283940a1b2c3d4e-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
}
const DEV_ID = '21111111-2222-4333-8444-666666666666'
const PROD_ID = '21111111-2222-4333-8444-777777777777'
const OTHER_ID = '21111111-2222-4333-8444-888888888888'

const seed = (): EmulatorSeed => ({
  keys: [
    {key: KEYS.manager, name: 'manager', project: 'shop', environment: 'dev', role: 'MANAGER'},
    {key: KEYS.consumer, name: 'consumer', project: 'shop', environment: 'dev'},
    {key: KEYS.otherProject, name: 'other', project: 'other', environment: 'dev', role: 'ADMIN'},
    {key: KEYS.projectAdmin, name: 'project admin', project: 'shop', role: 'ADMIN'},
  ],
  projects: [
    {
      slug: 'shop',
      environments: [
        {
          slug: 'dev',
          id: DEV_ID,
          providers: [
            {slug: 'vault-dev', secrets: {DATABASE_URL: 'postgres://dev', STRIPE_API_KEY: 'sk_1', STRIPE_WEBHOOK: 'wh_1', SHARED: 'vault'}},
            {slug: 'aws-dev', type: 'aws', secrets: {AWS_REGION: 'eu-west-1', SHARED: 'aws'}},
          ],
        },
        {slug: 'prod', id: PROD_ID, providers: [{slug: 'vault-prod', secrets: {DATABASE_URL: 'postgres://prod'}}]},
      ],
    },
    {slug: 'other', environments: [{slug: 'dev', id: OTHER_ID}]},
  ],
})

let emulator: Emulator
let clock = new Date('2026-05-01T12:00:00Z')
const as = (apiKey: string) => (options: SendOptions) => send({url: emulator.url, apiKey}, {at: clock, ...options})
const manager = as(KEYS.manager)
const json = (method: string, path: string, body: unknown): SendOptions => ({method, path, body: JSON.stringify(body)})

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: seed(), now: () => clock})
})
afterAll(() => emulator.close())
beforeEach(() => {
  clock = new Date('2026-05-01T12:00:00Z')
})

function expectConforms(specPath: string, method: string, res: TestResponse): void {
  const pointer = responseSchemaPointer(specPath, method, res.status, 'application/json')
  const validate = responseValidator(specPath, method, res.status)
  if (!validate(res.json())) throw new Error(`${method} ${specPath} ${res.status}: ${describeErrors(validate)}\n${res.text}`)
  expect(undeclaredProperties(pointer, res.json())).toEqual([])
}

function expectSchema(component: string, body: unknown): void {
  const pointer = `#/components/schemas/${component}`
  const validate = validatorFor(pointer)
  if (!validate(body)) throw new Error(`${component}: ${describeErrors(validate)}\n${JSON.stringify(body)}`)
  expect(undeclaredProperties(pointer, body)).toEqual([])
}

const CREATE = '/api/v1/environments/{environmentId}/api-keys'
const BY_ID = '/api/v1/api-keys/{id}'
const ISSUE = '/api/v1/environments/{environmentId}/tokens/issue'

async function create(body: Record<string, unknown> = {clientName: 'ci-deploy'}, key = KEYS.manager, envId = DEV_ID): Promise<TestResponse> {
  return as(key)(json('POST', `/api/v1/environments/${envId}/api-keys`, body))
}

describe('API keys', () => {
  it('create → 201 CreatedApiKeyResponse; the key works at once, scoped to the environment', async () => {
    const res = await create({clientName: 'ci-deploy', description: 'deploys', expiresInDays: 30, role: null, publicKey: null})
    expect(res.status).toBe(201)
    expectConforms(CREATE, 'POST', res)
    const created = res.json()
    expect(created).toMatchObject({success: true, keyPrefix: expect.stringMatching(/^bax-[0-9a-f]{8}$/)})
    expect(created.apiKey).toMatch(/^bax-[0-9a-f]{32}-[0-9a-f]{64}$/)
    expect(created.apiKey.split('-')[1]!.startsWith(created.keyPrefix.slice(4))).toBe(true)
    expect(new Date(created.expiresAt).getTime()).toBe(clock.getTime() + 30 * 86_400_000)

    const me = await as(created.apiKey)({path: '/api/v1/keys/me'})
    expect(me.status).toBe(200)
    expect(me.json()).toMatchObject({environmentId: DEV_ID, role: 'CONSUMER'})
    expect((await as(created.apiKey)({path: '/api/v1/projects/shop/environments/prod/secrets'})).status).toBe(403)
  })

  it('list → ApiKeyResponse[] of the environment, with usage; get → ApiKeyResponse', async () => {
    const created = (await create({clientName: 'listed', description: null, expiresInDays: null})).json()
    await as(created.apiKey)({path: '/api/v1/keys/me'})
    const list = await manager({path: `/api/v1/environments/${DEV_ID}/api-keys`})
    expect(list.status).toBe(200)
    expectConforms(CREATE, 'GET', list)
    const entry = list.json().find((k: any) => k.id === created.id)
    expect(entry).toMatchObject({clientName: 'listed', role: 'CONSUMER', environmentId: DEV_ID, usageCount: 1, isActive: true, isValid: true, revokedAt: null})
    expect(entry.lastUsedAt).toBe(clock.toISOString())
    // No expiresInDays: the emulator's default lifetime (CreatedApiKeyResponse.expiresAt is required).
    expect(new Date(entry.expiresAt).getTime()).toBe(clock.getTime() + 365 * 86_400_000)
    expect(list.json().every((k: any) => k.environmentId === DEV_ID)).toBe(true)
    expect(list.text).not.toContain(created.apiKey.split('-')[2])

    const one = await manager({path: `/api/v1/api-keys/${created.id}`})
    expect(one.status).toBe(200)
    expectConforms(BY_ID, 'GET', one)
    expectSchema('ApiKeyResponse', one.json())
    expect(one.json()).toEqual(entry)
  })

  it('delete revokes at once: the next signed request is 401, the list shows it revoked', async () => {
    const created = (await create({clientName: 'doomed'})).json()
    expect((await as(created.apiKey)({path: '/api/v1/keys/me'})).status).toBe(200)
    const del = await manager({method: 'DELETE', path: `/api/v1/api-keys/${created.id}`})
    expect(del.status).toBe(200)
    expectConforms(BY_ID, 'DELETE', del)
    const after = await as(created.apiKey)({path: '/api/v1/keys/me'})
    expect(after.status).toBe(401)
    expect(after.json().detail).toContain('revoked')
    const entry = (await manager({path: `/api/v1/environments/${DEV_ID}/api-keys`})).json().find((k: any) => k.id === created.id)
    expect(entry).toMatchObject({isActive: false, isValid: false, revokedAt: clock.toISOString()})
    // Idempotent.
    expect((await manager({method: 'DELETE', path: `/api/v1/api-keys/${created.id}`})).status).toBe(200)
  })

  it('refuses a role that is not CONSUMER, MANAGER, ADMIN or OWNER (400), and makes no key', async () => {
    for (const role of ['SUPERUSER', 'admin', 'MANAGER ']) {
      const res = await create({clientName: `role-${role}`, role})
      expect([role, res.status]).toEqual([role, role === 'MANAGER ' ? 201 : 400])
      if (res.status === 400) expect(res.text).toContain('CONSUMER, MANAGER, ADMIN, OWNER')
    }
  })

  it('refuses what the caller may not do', async () => {
    expect((await create({clientName: 'x'}, KEYS.consumer)).status).toBe(403)
    expect((await create({clientName: 'x'}, KEYS.manager, PROD_ID)).status).toBe(403)
    expect((await create({clientName: 'x'}, KEYS.otherProject)).status).toBe(403)
    expect((await create({clientName: 'x', role: 'ADMIN'})).status).toBe(403)
    expect((await create({clientName: 'x', role: 'ADMIN'}, KEYS.projectAdmin, PROD_ID)).status).toBe(201)
    const consumerKeys = await as(KEYS.consumer)({path: `/api/v1/environments/${DEV_ID}/api-keys`})
    expect(consumerKeys.status).toBe(200)
    const someId = consumerKeys.json()[0].id
    expect((await as(KEYS.consumer)({method: 'DELETE', path: `/api/v1/api-keys/${someId}`})).status).toBe(403)
    expect((await as(KEYS.otherProject)({path: `/api/v1/api-keys/${someId}`})).status).toBe(403)
  })

  it('answers 400 for bad bodies and 404 for unknown ids', async () => {
    for (const body of [{}, {clientName: ''}, {clientName: 'x', expiresInDays: 0}, {clientName: 'x', expiresInDays: 1.5}, {clientName: 'x', description: 3}]) {
      const res = await create(body as Record<string, unknown>)
      expect(res.status).toBe(400)
      expect(res.json().detail).toEqual(expect.any(String))
    }
    expect((await create({clientName: 'x'}, KEYS.manager, '21111111-2222-4333-8444-000000000000')).status).toBe(404)
    const slug = await create({clientName: 'x'}, KEYS.manager, 'dev')
    expect(slug.status).toBe(404)
    expect(slug.json().detail).toContain('UUID')
    expect((await manager({method: 'DELETE', path: '/api/v1/api-keys/00000000-0000-4000-8000-000000000000'})).status).toBe(404)
    expect((await manager({path: '/api/v1/api-keys/00000000-0000-4000-8000-000000000000'})).status).toBe(404)
  })
})

describe('scoped tokens (tokens/issue)', () => {
  async function issue(body: Record<string, unknown>, key = KEYS.manager): Promise<TestResponse> {
    return as(key)(json('POST', `/api/v1/environments/${DEV_ID}/tokens/issue`, body))
  }

  it('issues a CreatedApiKeyResponse whose key reads only its scopes', async () => {
    const res = await issue({scopes: ['stripe', 'provider:aws-dev'], ttlMinutes: 5, reason: 'job 42'})
    expect(res.status).toBe(201)
    expectConforms(ISSUE, 'POST', res)
    const token = res.json()
    expect(new Date(token.expiresAt).getTime()).toBe(clock.getTime() + 5 * 60_000)

    const e2ee = createEphemeralKey()
    const all = await as(token.apiKey)({path: '/api/v1/projects/shop/environments/dev/secrets', headers: {'X-E2E-Public-Key': e2ee.publicKeySpki}})
    expect(all.status).toBe(200)
    const secrets = JSON.parse(decryptEnvelope(all.text, e2ee.privateKey, 'all')).secrets
    expect(secrets).toEqual({STRIPE_API_KEY: 'sk_1', STRIPE_WEBHOOK: 'wh_1', AWS_REGION: 'eu-west-1', SHARED: 'aws'})

    const vault = await as(token.apiKey)({path: '/api/v1/projects/shop/environments/dev/providers/vault-dev/secrets'})
    expect(vault.json().map((s: any) => s.key).sort()).toEqual(['STRIPE_API_KEY', 'STRIPE_WEBHOOK'])

    // Metadata stays readable; management does not.
    expect((await as(token.apiKey)({path: '/api/v1/keys/me'})).status).toBe(200)
    expect((await as(token.apiKey)({path: '/api/v1/projects/shop/environments/dev/secrets/version'})).status).toBe(200)
    expect((await as(token.apiKey)({path: `/api/v1/environments/${DEV_ID}/api-keys`})).status).toBe(403)
    expect((await issue({scopes: ['stripe']}, token.apiKey)).status).toBe(403)

    const listed = (await manager({path: `/api/v1/environments/${DEV_ID}/api-keys?isScoped=true`})).json()
    expect(listed.find((k: any) => k.id === token.id)).toMatchObject({allowedScopes: ['stripe', 'provider:aws-dev'], clientName: 'job 42'})
    const unscoped = (await manager({path: `/api/v1/environments/${DEV_ID}/api-keys?isScoped=false`})).json()
    expect(unscoped.find((k: any) => k.id === token.id)).toBeUndefined()
  })

  it('a scoped read keeps a secret named __proto__ in scope (names are data)', async () => {
    emulator.setSecrets({project: 'shop', environment: 'dev', provider: 'vault-dev'}, {set: Object.fromEntries([['__proto__', 'proto-value']])})
    try {
      const token = (await issue({scopes: ['__proto__']})).json()
      const all = await as(token.apiKey)({path: '/api/v1/projects/shop/environments/dev/secrets'})
      expect(Object.entries(JSON.parse(all.text).secrets)).toEqual([['__proto__', 'proto-value']])
    } finally {
      emulator.setSecrets({project: 'shop', environment: 'dev'}, {unset: ['__proto__']})
    }
  })

  it('expires after its ttl (default 15 minutes)', async () => {
    const token = (await issue({scopes: ['*']})).json()
    expect(new Date(token.expiresAt).getTime()).toBe(clock.getTime() + 15 * 60_000)
    const short = (await issue({scopes: ['*'], ttlMinutes: 1})).json()
    expect((await as(short.apiKey)({path: '/api/v1/keys/me'})).status).toBe(200)
    clock = new Date(clock.getTime() + 61_000)
    const res = await as(short.apiKey)({path: '/api/v1/keys/me'})
    expect(res.status).toBe(401)
    expect(res.json().detail).toContain('expired')
  })

  it('validates the request and the caller', async () => {
    for (const body of [{}, {scopes: []}, {scopes: ['']}, {scopes: ['a', ' ']}, {scopes: 'a'}, {scopes: ['a'], ttlMinutes: 0}, {scopes: ['a'], ttlMinutes: 481}]) {
      expect((await issue(body as Record<string, unknown>)).status).toBe(400)
    }
    expect((await issue({scopes: ['a']}, KEYS.consumer)).status).toBe(403)
    expect((await issue({scopes: ['a']}, KEYS.otherProject)).status).toBe(403)
  })
})
