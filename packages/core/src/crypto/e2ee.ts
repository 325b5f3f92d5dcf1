/**
 * End-to-end encryption of secrets responses, contract §3: ECDH P-256 → HKDF-SHA256 (salt 32 zero
 * bytes, info "bella-e2ee-v1") → AES-256-GCM with the tag carried separately and no AAD.
 * Fail closed (§3.5): once a key was presented, anything but a decryptable envelope is an error,
 * and no error message ever carries the body or key material.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto'
import {BellaError, usageError} from '../errors.js'

const INFO = Buffer.from('bella-e2ee-v1', 'utf8')
const SALT = Buffer.alloc(32)
export const E2EE_ALGORITHM = 'ECDH-P256-HKDF-SHA256-AES256GCM'

export interface E2eeKey {
  privateKey: KeyObject
  /** Base64 SPKI DER, the value of `X-E2E-Public-Key`. */
  publicKeySpki: string
}

export function createEphemeralKey(): E2eeKey {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  return {privateKey, publicKeySpki: publicKey.export({type: 'spki', format: 'der'}).toString('base64')}
}

/**
 * Loads a persistent device key (ZKE, `BELLA_BAXTER_PRIVATE_KEY`): PKCS#8 PEM, or bare Base64
 * PKCS#8 DER with or without the armour. Only P-256 is accepted.
 */
export function loadDeviceKey(text: string, where = 'BELLA_BAXTER_PRIVATE_KEY'): E2eeKey {
  const base64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8'})
  } catch {
    throw usageError(`${where} is not a PKCS#8 private key`, {
      code: 'invalid_device_key',
      suggestions: ['set it to the PEM text of a P-256 key (-----BEGIN PRIVATE KEY----- …)'],
    })
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw usageError(`${where} must be a P-256 (prime256v1) key`, {code: 'invalid_device_key'})
  }
  const publicKey = createPublicKey(privateKey)
  return {privateKey, publicKeySpki: publicKey.export({type: 'spki', format: 'der'}).toString('base64')}
}

function aesKey(privateKey: KeyObject, peerSpkiBase64: string): Buffer {
  const publicKey = createPublicKey({key: Buffer.from(peerSpkiBase64, 'base64'), format: 'der', type: 'spki'})
  const shared = diffieHellman({privateKey, publicKey})
  return Buffer.from(hkdfSync('sha256', shared, SALT, INFO, 32))
}

export type E2eeErrorCode = 'e2ee-plaintext-response' | 'e2ee-decryption-failed'

export function e2eeError(code: E2eeErrorCode, path: string): BellaError {
  const message =
    code === 'e2ee-plaintext-response'
      ? `E2EE response expected but plaintext received for ${path}; refusing it (${code})`
      : `E2EE response could not be decrypted for ${path}; refusing it (${code})`
  return new BellaError('general', message, {
    code,
    suggestions: [
      'a proxy between bella and the API may be stripping the X-E2E-Public-Key header or rewriting responses',
      'check BELLA_BAXTER_URL points at a Bella Baxter server',
    ],
  })
}

const FIELDS = ['serverPublicKey', 'nonce', 'tag', 'ciphertext'] as const

/** Decrypts an envelope body to its UTF-8 plaintext, or throws a fail-closed error naming `path`. */
export function decryptEnvelope(body: string, privateKey: KeyObject, path: string): string {
  let envelope: unknown
  try {
    envelope = JSON.parse(body)
  } catch {
    throw e2eeError('e2ee-plaintext-response', path)
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw e2eeError('e2ee-plaintext-response', path)
  }
  const record = envelope as Record<string, unknown>
  if (record.encrypted !== true) throw e2eeError('e2ee-plaintext-response', path)
  const values: Record<string, Buffer> = {}
  for (const field of FIELDS) {
    const value = record[field]
    if (typeof value !== 'string' || value === '') throw e2eeError('e2ee-decryption-failed', path)
    values[field] = Buffer.from(value, 'base64')
  }
  try {
    const key = aesKey(privateKey, record.serverPublicKey as string)
    const nonce = values.nonce!
    const tag = values.tag!
    if (nonce.length !== 12 || tag.length !== 16) throw new Error('bad lengths')
    const decipher = createDecipheriv('aes-256-gcm', key, nonce)
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(values.ciphertext!), decipher.final()]).toString('utf8')
  } catch {
    throw e2eeError('e2ee-decryption-failed', path)
  }
}

export interface EncryptOptions {
  /** Injected for deterministic tests; a fresh key per response otherwise. */
  serverKey?: KeyObject
  nonce?: Buffer
}

/** Server side (the emulator): encrypts `plaintext` to the client's SPKI, compact JSON envelope. */
export function encryptEnvelope(plaintext: string, clientSpkiBase64: string, options: EncryptOptions = {}): string {
  const serverKey = options.serverKey ?? generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey
  const serverPublic = createPublicKey(serverKey).export({type: 'spki', format: 'der'}).toString('base64')
  const key = aesKey(serverKey, clientSpkiBase64)
  const nonce = options.nonce ?? randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return JSON.stringify({
    encrypted: true,
    algorithm: E2EE_ALGORITHM,
    serverPublicKey: serverPublic,
    nonce: nonce.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  })
}

/** True when `spkiBase64` is a well-formed P-256 SPKI (the emulator answers 400 otherwise). */
export function isP256Spki(spkiBase64: string): boolean {
  try {
    const key = createPublicKey({key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki'})
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
  } catch {
    return false
  }
}
