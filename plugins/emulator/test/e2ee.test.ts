import {generateKeyPairSync} from 'node:crypto'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {createEphemeralKey, decryptEnvelope, parseSecretsPayload} from '@bella/core'
import {defaultSeed, startEmulator, type E2eeFaultMode, type Emulator} from '../src/index.js'
import {loadContractJson} from './helpers/contract.js'
import {send, type SendOptions} from './helpers/signed-request.js'

const ENV = '/api/v1/projects/demo/environments/dev'
const ALL = `${ENV}/secrets`
const PROVIDER = `${ENV}/providers/vault-dev/secrets`

let emulator: Emulator
const get = (options: SendOptions) => send(emulator, options)
const seeded = () => {
  const secrets = defaultSeed().projects[0]!.environments![0]!.providers![0]!.secrets!
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, typeof v === 'string' ? v : v.value]))
}

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

describe('E2EE on envelope-required reads', () => {
  it('encrypts all environment secrets to the presented key; core decrypts them to the seeded secrets', async () => {
    const key = createEphemeralKey()
    const res = await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const envelope = res.json()
    expect(envelope).toMatchObject({encrypted: true, algorithm: 'ECDH-P256-HKDF-SHA256-AES256GCM'})
    expect(res.text).not.toContain('demo-password')
    const plaintext = JSON.parse(decryptEnvelope(res.text, key.privateKey, ALL))
    expect(plaintext).toMatchObject({environmentSlug: 'dev', environmentName: 'Development', version: 1})
    expect(plaintext.secrets).toEqual(seeded())
  })

  it('encrypts the provider secrets list (an array of items)', async () => {
    const key = createEphemeralKey()
    const res = await get({path: PROVIDER, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    const items = JSON.parse(decryptEnvelope(res.text, key.privateKey, PROVIDER))
    expect(Array.isArray(items)).toBe(true)
    expect(parseSecretsPayload(items, 'test').secrets).toEqual(seeded())
  })

  it('uses a fresh server key for every response', async () => {
    const key = createEphemeralKey()
    const a = (await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})).json()
    const b = (await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})).json()
    expect(a.serverPublicKey).not.toBe(b.serverPublicKey)
    expect(a.nonce).not.toBe(b.nonce)
  })

  it('answers plaintext JSON without the header', async () => {
    const all = await get({path: ALL})
    expect(all.json().secrets).toEqual(seeded())
    expect(parseSecretsPayload((await get({path: PROVIDER})).json(), 'test').secrets).toEqual(seeded())
  })

  it.each([
    ['not Base64', 'not base64!'],
    ['unpadded Base64', createEphemeralKey().publicKeySpki.replace(/=+$/, '')],
    ['a raw point instead of SPKI', Buffer.alloc(65, 4).toString('base64')],
    ['a P-384 key', generateKeyPairSync('ec', {namedCurve: 'secp384r1'}).publicKey.export({type: 'spki', format: 'der'}).toString('base64')],
    ['empty', ''],
  ])('answers 400 ProblemDetails for a malformed key: %s', async (_why, value) => {
    const res = await get({path: ALL, headers: {'X-E2E-Public-Key': value}})
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().detail).toMatch(/X-E2E-Public-Key/)
  })

  it('never encrypts the version and hash endpoints, even with a key presented', async () => {
    const key = createEphemeralKey()
    for (const path of [`${ALL}/version`, `${PROVIDER}/hash`]) {
      const res = await get({path, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
      expect(res.status).toBe(200)
      expect(res.json().encrypted).toBeUndefined()
    }
  })

  it('accepts the contract vector client keys', async () => {
    const vectors = loadContractJson('vectors.json')
    for (const c of vectors.e2ee.cases as any[]) {
      const res = await get({path: ALL, headers: {'X-E2E-Public-Key': c.clientKey.spkiDerBase64}})
      expect(res.status).toBe(200)
      expect(res.json().encrypted).toBe(true)
    }
  })
})

describe('E2EE faults make the client fail closed', () => {
  const modes: Array<[E2eeFaultMode, string]> = [
    ['plaintext', 'e2ee-plaintext-response'],
    ['tamper', 'e2ee-decryption-failed'],
    ['wrong-key', 'e2ee-decryption-failed'],
    ['missing-field', 'e2ee-decryption-failed'],
  ]
  it.each(modes)('%s → %s, once', async (mode, code) => {
    emulator.injectFault({type: 'e2ee', mode})
    const key = createEphemeralKey()
    const faulty = await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(faulty.status).toBe(200)
    expect(() => decryptEnvelope(faulty.text, key.privateKey, ALL)).toThrow(expect.objectContaining({code}))
    const next = await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(JSON.parse(decryptEnvelope(next.text, key.privateKey, ALL)).secrets).toEqual(seeded())
  })

  it('is not used up by requests without a key or by other paths', async () => {
    emulator.injectFault({type: 'e2ee', mode: 'plaintext', pathPrefix: PROVIDER})
    const key = createEphemeralKey()
    await get({path: PROVIDER})
    await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(emulator.faults()).toHaveLength(1)
    const res = await get({path: PROVIDER, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(Array.isArray(res.json())).toBe(true)
    expect(emulator.faults()).toHaveLength(0)
  })

  it('can be armed over HTTP through the admin route', async () => {
    const armed = await get({method: 'POST', path: '/__emulator/faults', body: JSON.stringify({type: 'e2ee', mode: 'plaintext'})})
    expect(armed.status).toBe(201)
    const key = createEphemeralKey()
    const res = await get({path: ALL, headers: {'X-E2E-Public-Key': key.publicKeySpki}})
    expect(() => decryptEnvelope(res.text, key.privateKey, ALL)).toThrow(expect.objectContaining({code: 'e2ee-plaintext-response'}))
  })
})
