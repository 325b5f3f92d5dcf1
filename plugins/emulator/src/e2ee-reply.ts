/**
 * Server side of contract §3.6: validate the client's `X-E2E-Public-Key`, encrypt the plaintext
 * with core's `encryptEnvelope`, or deliberately misbehave when an E2EE fault is armed so that a
 * client's fail-closed checks (§3.5) can be exercised.
 */
import {generateKeyPairSync} from 'node:crypto'
import {encryptEnvelope, isP256Spki} from '@bella/core'
import {badRequest, headerValue, type IncomingRequest} from './http.js'
import type {E2eeFaultMode} from './faults.js'

export const E2EE_PUBLIC_KEY_HEADER = 'x-e2e-public-key'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The client's key when one was presented, undefined when not; 400 when it is not padded
 * Base64 of a P-256 SubjectPublicKeyInfo (Node's Base64 decoder alone would accept junk).
 */
export function presentedPublicKey(request: IncomingRequest): string | undefined {
  if (request.headers[E2EE_PUBLIC_KEY_HEADER] === undefined) return undefined
  const value = headerValue(request.headers, E2EE_PUBLIC_KEY_HEADER)?.trim()
  if (!value || !BASE64.test(value) || !isP256Spki(value)) {
    throw badRequest('X-E2E-Public-Key must be standard padded Base64 of the SPKI DER of a P-256 public key')
  }
  return value
}

/** The response body for a secret-bearing read that presented `clientSpki`. */
export function sealPlaintext(plaintext: string, clientSpki: string, fault?: E2eeFaultMode): string {
  switch (fault) {
    case undefined:
      return encryptEnvelope(plaintext, clientSpki)
    case 'plaintext':
      return plaintext
    case 'wrong-key': {
      const other = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).publicKey
      return encryptEnvelope(plaintext, other.export({type: 'spki', format: 'der'}).toString('base64'))
    }
    case 'tamper': {
      const envelope = JSON.parse(encryptEnvelope(plaintext, clientSpki)) as Record<string, string>
      const ciphertext = Buffer.from(envelope.ciphertext!, 'base64')
      // An empty plaintext has no ciphertext byte to flip; flipping the tag fails GCM just as well.
      const target = ciphertext.length > 0 ? ciphertext : Buffer.from(envelope.tag!, 'base64')
      target[0] = target[0]! ^ 0x01
      if (ciphertext.length > 0) envelope.ciphertext = ciphertext.toString('base64')
      else envelope.tag = target.toString('base64')
      return JSON.stringify(envelope)
    }
    case 'missing-field': {
      const envelope = JSON.parse(encryptEnvelope(plaintext, clientSpki)) as Record<string, string>
      delete envelope.tag
      return JSON.stringify(envelope)
    }
  }
}
