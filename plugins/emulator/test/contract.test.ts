/**
 * Every response shape the emulator produces, validated against contract/openapi.json. Schemas
 * are looked up by path + method + status + media type, so the emulator cannot drift into
 * agreeing with a client that misread the spec.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {createEphemeralKey, decryptEnvelope} from '@bella/core'
import {startEmulator, type Emulator} from '../src/index.js'
import {loadContractJson} from './helpers/contract.js'
import {describeErrors, responseSchemaPointer, responseValidator, undeclaredProperties, validatorFor} from './helpers/openapi-validator.js'
import {multiProjectSeed, KEYS} from './helpers/seeds.js'
import {send, type SendOptions, type TestResponse} from './helpers/signed-request.js'
import {dynamicSeed} from './helpers/dynamic-seed.js'
import {testPostgresUrl} from '../../../test/helpers/postgres.js'

const P = '/api/v1/projects/{projectRef}'
const E = `${P}/environments/{envSlug}`
const V = `${E}/providers/{providerSlug}`
const SHOP = '/api/v1/projects/shop/environments/dev'

let emulator: Emulator
const call = (options: SendOptions) => send({url: emulator.url, apiKey: KEYS.shopDev}, options)

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: multiProjectSeed()})
})
afterAll(() => emulator.close())

function mediaTypeOf(res: TestResponse): string {
  return String(res.headers['content-type']).split(';')[0]!.trim()
}

/** Validates `body` against the schema openapi.json gives for `path` `method` → `status`. */
function expectConforms(specPath: string, method: string, res: TestResponse, body: unknown = res.json()): void {
  const mediaType = mediaTypeOf(res)
  const pointer = responseSchemaPointer(specPath, method, res.status, mediaType)
  const validate = responseValidator(specPath, method, res.status, mediaType)
  if (!validate(body)) throw new Error(`${method} ${specPath} ${res.status}: ${describeErrors(validate)}\n${JSON.stringify(body)}`)
  expect(undeclaredProperties(pointer, body)).toEqual([])
}

// ProblemDetails as the spec attaches it to a problem+json response (the 404 of getAllEnvironmentSecrets).
const problemPointer = () => responseSchemaPointer(`${E}/secrets`, 'GET', 404, 'application/problem+json')
// The envelope as the spec attaches it to listSecrets' 200.
const envelopePointer = () => responseSchemaPointer(`${V}/secrets`, 'GET', 200, 'application/json')

function expectSchema(pointer: string, body: unknown): void {
  const validate = validatorFor(pointer)
  if (!validate(body)) throw new Error(`${pointer}: ${describeErrors(validate)}\n${JSON.stringify(body)}`)
  expect(undeclaredProperties(pointer, body)).toEqual([])
}

describe('responses conform to contract/openapi.json', () => {
  it('sanity: the validator rejects a wrong shape', () => {
    const validate = responseValidator(`${E}/secrets/version`, 'GET', 200)
    expect(validate({environmentSlug: 'dev', version: '1', lastModified: 'yesterday'})).toBe(false)
    expect(undeclaredProperties(responseSchemaPointer(`${E}/secrets/version`, 'GET', 200, 'application/json'), {extra: 1})).toEqual(['$.extra'])
  })

  it('GET /api/v1/keys/me → KeyContextResponse (environment- and project-scoped keys)', async () => {
    expectConforms('/api/v1/keys/me', 'GET', await call({path: '/api/v1/keys/me'}))
    expectConforms('/api/v1/keys/me', 'GET', await send({url: emulator.url, apiKey: KEYS.shopProject}, {path: '/api/v1/keys/me'}))
  })

  it('GET /api/v1/projects/{projectRef} → GetProjectResponse', async () => {
    expectConforms(P, 'GET', await call({path: '/api/v1/projects/shop'}))
  })

  it('GET …/environments/{envSlug} → EnvironmentResponse', async () => {
    expectConforms(E, 'GET', await call({path: SHOP}))
  })

  it('GET …/providers → array of EnvironmentProviderResponse', async () => {
    const res = await call({path: `${SHOP}/providers`})
    expect(res.json()).toHaveLength(2)
    expectConforms(`${E}/providers`, 'GET', res)
  })

  it('GET …/secrets (plaintext) → AllEnvironmentSecretsResponse', async () => {
    expectConforms(`${E}/secrets`, 'GET', await call({path: `${SHOP}/secrets`}))
  })

  it('GET …/secrets/version → EnvironmentSecretsVersionResponse', async () => {
    expectConforms(`${E}/secrets/version`, 'GET', await call({path: `${SHOP}/secrets/version`}))
  })

  it('GET …/providers/{providerSlug}/secrets/hash → SecretsHashResponse', async () => {
    expectConforms(`${V}/secrets/hash`, 'GET', await call({path: `${SHOP}/providers/vault-dev/secrets/hash`}))
  })

  it('GET …/providers/{providerSlug}/secrets with a key → E2EEncryptedPayload, decrypting to the contract item shape', async () => {
    const key = createEphemeralKey()
    const res = await call({path: `${SHOP}/providers/aws-dev/secrets`, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expectConforms(`${V}/secrets`, 'GET', res)
    // The spec only describes this plaintext as "encrypted"; the contract's vector fixes its items.
    const items = JSON.parse(decryptEnvelope(res.text, key.privateKey, 'listSecrets'))
    const vectorCase = loadContractJson('vectors.json').e2ee.cases.find((c: any) => c.id === 'ephemeral-list-provider-secrets')
    const vectorItems = JSON.parse(vectorCase.plaintext)
    for (const item of items) {
      expect(Object.keys(item)).toEqual(Object.keys(vectorItems[0]))
      for (const [field, value] of Object.entries(item)) {
        const types = vectorItems.map((v: any) => (v[field] === null ? 'null' : typeof v[field]))
        expect(types).toContain(value === null ? 'null' : typeof value)
      }
    }
  })

  it('GET …/secrets with a key → the envelope, decrypting to AllEnvironmentSecretsResponse', async () => {
    const key = createEphemeralKey()
    const res = await call({path: `${SHOP}/secrets`, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expectSchema(envelopePointer(), res.json())
    const plaintext = JSON.parse(decryptEnvelope(res.text, key.privateKey, 'getAllEnvironmentSecrets'))
    expectSchema(responseSchemaPointer(`${E}/secrets`, 'GET', 200, 'application/json'), plaintext)
  })

  it('errors → ProblemDetails (400, 401, 403, 404, 405, 429, 503)', async () => {
    const cases: Array<[number, TestResponse]> = [
      [400, await call({path: `${SHOP}/secrets`, headers: {'X-E2E-Public-Key': 'nope'}})],
      [401, await call({path: `${SHOP}/secrets`, apiKey: null})],
      [403, await call({path: '/api/v1/projects/other'})],
      [404, await call({path: '/api/v1/projects/shop/environments/nope/secrets'})],
      [405, await call({method: 'PATCH', path: `${SHOP}/secrets`})],
    ]
    emulator.injectFault({type: 'status', status: 429})
    cases.push([429, await call({path: `${SHOP}/secrets/version`})])
    emulator.injectFault({type: 'status', status: 503})
    cases.push([503, await call({path: `${SHOP}/secrets/version`})])
    for (const [status, res] of cases) {
      expect(res.status).toBe(status)
      expect(mediaTypeOf(res)).toBe('application/problem+json')
      expectSchema(problemPointer(), res.json())
      expect(Object.keys(res.json()).sort()).toEqual(['detail', 'status', 'title', 'type'])
    }
    // Where the spec itself documents the error, it must be the documented shape too.
    expectConforms(`${E}/secrets`, 'GET', cases[3]![1])
    expectConforms(`${V}/secrets`, 'GET', await call({path: `${SHOP}/providers/vault-dev/secrets`, headers: {'X-E2E-Public-Key': 'nope'}}))
  })
})

describe('browsing and editing secrets conforms to contract/openapi.json', () => {
  let editable: Emulator
  const admin = (options: SendOptions) => send({url: editable.url, apiKey: KEYS.shopProject}, options)
  const consumer = (options: SendOptions) => send({url: editable.url, apiKey: KEYS.shopDev}, options)
  const VAULT = `${SHOP}/providers/vault-dev/secrets`
  beforeAll(async () => {
    editable = await startEmulator({port: 0, seed: multiProjectSeed()})
  })
  afterAll(() => editable.close())

  it('GET /api/v1/projects → PageProjectResponse with the projects in scope', async () => {
    const res = await admin({path: '/api/v1/projects?size=200'})
    expectConforms('/api/v1/projects', 'GET', res)
    expect(res.json().content.map((p: any) => p.slug)).toEqual(['shop'])
  })

  it('GET …/environments → EnvironmentResponse[] (an environment key sees its own)', async () => {
    const all = await admin({path: '/api/v1/projects/shop/environments'})
    expectConforms(`${P}/environments`, 'GET', all)
    expect(all.json().map((e: any) => e.slug)).toEqual(['dev', 'prod'])
    expect((await consumer({path: '/api/v1/projects/shop/environments'})).json().map((e: any) => e.slug)).toEqual(['dev'])
  })

  it('POST, PUT, DELETE → CreateSecretResponse, UpdateSecretResponse, OperationResponse; each moves the version', async () => {
    const version = async () => (await admin({path: `${SHOP}/secrets/version`})).json().version as number
    const v0 = await version()
    const created = await admin({method: 'POST', path: VAULT, body: JSON.stringify({key: '__proto__', value: 'a\n"$x"', description: null})})
    expect(created.status).toBe(201)
    expectConforms(`${V}/secrets`, 'POST', created)
    expect(await version()).toBe(v0 + 1)
    expect((await admin({method: 'POST', path: VAULT, body: JSON.stringify({key: '__proto__', value: 'b', description: null})})).status).toBe(409)
    const updated = await admin({method: 'PUT', path: `${VAULT}/__proto__`, body: JSON.stringify({key: '__proto__', value: 'b', description: 'd'})})
    expectConforms(`${V}/secrets/{key}`, 'PUT', updated)
    expect(await version()).toBe(v0 + 2)
    const versions = await admin({path: `${VAULT}/__proto__/versions`})
    expectConforms(`${V}/secrets/{key}/versions`, 'GET', versions)
    expect(versions.json()).toMatchObject({currentVersion: 2, oldestVersion: 1})
    const key = createEphemeralKey()
    const old = await admin({path: `${VAULT}/__proto__/versions/1`, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expectSchema(envelopePointer(), old.json())
    expect(JSON.parse(decryptEnvelope(old.text, key.privateKey, 'getSecretVersion'))).toMatchObject({key: '__proto__', value: 'a\n"$x"', version: 1})
    const item = await admin({path: `${VAULT}/__proto__`, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expectSchema(envelopePointer(), item.json())
    expect(JSON.parse(decryptEnvelope(item.text, key.privateKey, 'getSecret'))).toMatchObject({key: '__proto__', value: 'b', description: 'd', version: 2})
    const deleted = await admin({method: 'DELETE', path: `${VAULT}/__proto__`})
    expectConforms(`${V}/secrets/{key}`, 'DELETE', deleted)
    expect(await version()).toBe(v0 + 3)
    const gone = await admin({path: `${VAULT}/__proto__`})
    expect(gone.status).toBe(404)
    expectConforms(`${V}/secrets/{key}`, 'GET', gone)
  })

  it('a CONSUMER key may read but not write: 403 naming the roles that may', async () => {
    expect((await consumer({path: `${VAULT}/DATABASE_URL`})).status).toBe(200)
    const refused = await consumer({method: 'PUT', path: `${VAULT}/DATABASE_URL`, body: JSON.stringify({key: 'DATABASE_URL', value: 'x', description: null})})
    expect(refused.status).toBe(403)
    expect(refused.json().detail).toContain('needs MANAGER, ADMIN or OWNER')
  })
})

describe('dynamic database credentials conform to contract/openapi.json', () => {
  const PG = `${SHOP}/providers/pg/credentials`
  let dynamic: Emulator | undefined
  const callDynamic = (options: SendOptions) => send({url: dynamic!.url, apiKey: KEYS.shopDev}, options)
  afterAll(() => dynamic?.close())

  it('GET …/credentials/roles → string[]; POST …/credentials/generate 400 → ProblemDetails', async () => {
    dynamic = await startEmulator({port: 0, seed: dynamicSeed()})
    expectConforms(`${V}/credentials/roles`, 'GET', await callDynamic({path: `${PG}/roles`}))
    const refused = await callDynamic({method: 'POST', path: `${PG}/generate`, body: JSON.stringify({role: 'nope', ttlSeconds: null})})
    expect(refused.status).toBe(400)
    expectConforms(`${V}/credentials/generate`, 'POST', refused)
    const unknown = await callDynamic({method: 'POST', path: `${SHOP}/providers/nope/credentials/generate`, body: '{"role":null,"ttlSeconds":null}'})
    expect(unknown.status).toBe(404)
    expectSchema(problemPointer(), unknown.json())
  })

  it('POST …/credentials/generate → GenerateCredentialsResponse (needs PostgreSQL)', async () => {
    const adminUrl = testPostgresUrl('contract test of POST …/credentials/generate 200')
    if (!adminUrl) return
    const withPostgres = await startEmulator({port: 0, seed: dynamicSeed(), postgres: {adminUrl}})
    try {
      const res = await send(
        {url: withPostgres.url, apiKey: KEYS.shopDev},
        {method: 'POST', path: `${PG}/generate`, body: JSON.stringify({role: null, ttlSeconds: 30}), headers: {'X-E2E-Public-Key': createEphemeralKey().publicKeySpki}},
      )
      expect(res.status).toBe(200)
      // A write: plain JSON even though a key was presented (contract §3.1).
      expectConforms(`${V}/credentials/generate`, 'POST', res)
      expect(Object.keys(res.json()).sort()).toEqual(['connectionUrl', 'expiresAt', 'leaseDurationSeconds', 'leaseId', 'password', 'username'])
    } finally {
      await withPostgres.close()
    }
  })
})
