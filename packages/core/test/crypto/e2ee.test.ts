import {describe, expect, it} from '@jest/globals'
import {createPrivateKey} from 'node:crypto'
import {createEphemeralKey, decryptEnvelope, encryptEnvelope, loadDeviceKey, parseSecretsPayload} from '@bella/core'
import {loadContractJson} from '../helpers/contract.js'

const vectors = loadContractJson('vectors.json')
const cases: any[] = vectors.e2ee.cases
const negative: any[] = vectors.e2ee.negativeCases

describe('E2EE against every vector', () => {
  for (const c of cases) {
    it(`${c.id}: derives the public key, decrypts, and parses the secrets`, () => {
      const key = loadDeviceKey(c.clientKey.pkcs8Pem)
      expect(key.publicKeySpki).toBe(c.request.headers['X-E2E-Public-Key'])
      // bare Base64 DER is accepted too
      expect(loadDeviceKey(c.clientKey.pkcs8DerBase64).publicKeySpki).toBe(c.clientKey.spkiDerBase64)
      const plaintext = decryptEnvelope(c.response.body, key.privateKey, c.request.path)
      expect(plaintext).toBe(c.plaintext)
      expect(JSON.parse(plaintext)).toEqual(c.expectedParsedPlaintext)
      expect(parseSecretsPayload(JSON.parse(plaintext), 'test').secrets).toEqual(c.expectedSecrets)
    })

    it(`${c.id}: the server side reproduces the envelope byte for byte`, () => {
      const serverKey = createPrivateKey(c.serverEphemeralKey.pkcs8Pem)
      const body = encryptEnvelope(c.plaintext, c.clientKey.spkiDerBase64, {
        serverKey,
        nonce: Buffer.from(c.intermediate.nonceHex, 'hex'),
      })
      expect(body).toBe(c.response.body)
    })
  }

  for (const n of negative) {
    it(`${n.id}: refused with ${n.expectedError}, message free of body and key`, () => {
      const source = cases.find((c) => c.id === n.clientKeyFromCase)
      const key = loadDeviceKey(source.clientKey.pkcs8Pem)
      let caught: any
      try {
        decryptEnvelope(n.responseBody, key.privateKey, '/api/v1/x/secrets')
      } catch (error) {
        caught = error
      }
      expect(caught).toBeDefined()
      expect(caught.code).toBe(n.expectedError)
      expect(caught.message).toContain('/api/v1/x/secrets')
      expect(caught.message).not.toContain('sk_live')
      expect(caught.message).not.toContain('ciphertext')
    })
  }

  it('round-trips with a fresh ephemeral key', () => {
    const key = createEphemeralKey()
    const body = encryptEnvelope('{"A":"1"}', key.publicKeySpki)
    expect(decryptEnvelope(body, key.privateKey, '/p')).toBe('{"A":"1"}')
  })

  it('rejects a device key that is not P-256', () => {
    expect(() => loadDeviceKey('not a key')).toThrow(expect.objectContaining({code: 'invalid_device_key'}))
  })
})

describe('parseSecretsPayload', () => {
  it('keeps a secret named __proto__ as an ordinary entry in every shape', () => {
    const object = JSON.parse('{"secrets":{"__proto__":"x","A":"1"}}')
    expect(Object.entries(parseSecretsPayload(object, 'test').secrets)).toEqual([['__proto__', 'x'], ['A', '1']])
    const items = [{key: '__proto__', value: 'y'}]
    expect(Object.entries(parseSecretsPayload(items, 'test').secrets)).toEqual([['__proto__', 'y']])
  })
})
