import {usageError} from '../errors.js'

export interface ApiKey {
  keyId: string
  /** Hex-decoded signing secret: the HMAC key is these bytes, not the hex text. */
  secret: Buffer
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/

/**
 * Parses `bax-{keyId}-{hexSecret}` (contract §1.1). The secret must be even-length hex; silently
 * signing with a truncated key would only surface later as a confusing 401.
 */
export function parseApiKey(raw: string, where = 'the API key'): ApiKey {
  const parts = raw.trim().split('-')
  const [prefix, keyId, secretHex] = parts
  if (parts.length !== 3 || prefix !== 'bax' || !keyId || !secretHex) {
    throw usageError(`${where} is not a Bella API key: expected the form bax-<keyId>-<secret>`, {
      code: 'invalid_api_key',
      suggestions: ['copy the whole key as shown when it was created (it starts with "bax-")'],
    })
  }
  if (!HEX.test(secretHex)) {
    throw usageError(`${where} has a malformed secret part: it must be an even number of hex digits`, {
      code: 'invalid_api_key',
      suggestions: ['check that the key was not truncated or wrapped when it was copied'],
    })
  }
  return {keyId, secret: Buffer.from(secretHex, 'hex')}
}

/** What may be shown of a key: `bax-` plus the first 8 characters of its id, never the secret. */
export function keyPrefix(keyId: string): string {
  return `bax-${keyId.slice(0, 8)}`
}
