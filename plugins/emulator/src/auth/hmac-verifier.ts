/**
 * Server-side check of contract §1.2 HMAC signing. It recomputes the signature with core's own
 * signing functions from what actually arrived: the raw path and raw query of the request line and
 * the exact body bytes. Re-serialising a parsed URL would hide client canonicalisation bugs.
 *
 * Pure: the caller supplies the clock and the key lookup, so the contract vectors can be replayed
 * with the clock set to their timestamp.
 */
import {signature, signaturesEqual} from '@bella/core'
import {headerValue, type IncomingRequest} from '../http.js'

export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000

/** Which check rejected the request; the 401 detail names it so a client author can tell. */
export type HmacCheck = 'missing-headers' | 'malformed-timestamp' | 'stale-timestamp' | 'unknown-key' | 'bad-signature'

export type HmacVerdict = {ok: true; keyId: string} | {ok: false; check: HmacCheck; detail: string}

export interface HmacVerifierOptions {
  now: Date
  /** The hex-decoded signing secret of a known key id, or undefined. */
  lookupSecret: (keyId: string) => Buffer | undefined
  maxSkewMs?: number
}

export type SignedRequest = Pick<IncomingRequest, 'method' | 'rawPath' | 'rawQuery' | 'headers' | 'body'>

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/

/** Parses `yyyy-MM-ddTHH:mm:ssZ` strictly: no fractions, no offsets, no rolled-over dates. */
export function parseSigningTimestamp(value: string): Date | undefined {
  const m = TIMESTAMP.exec(value)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  // Date.UTC silently rolls 2026-02-30 over to March; a signer never produces that.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined
  }
  return date
}

/** Lower-cased header lookup, so callers may pass either Node's header map or a vector's. */
function lowerCased(headers: SignedRequest['headers']): SignedRequest['headers'] {
  const out: SignedRequest['headers'] = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

export function verifyHmacRequest(request: SignedRequest, options: HmacVerifierOptions): HmacVerdict {
  const headers = lowerCased(request.headers)
  const keyId = headerValue(headers, 'x-bella-key-id')
  const timestamp = headerValue(headers, 'x-bella-timestamp')
  const given = headerValue(headers, 'x-bella-signature')
  const missing = [
    ['X-Bella-Key-Id', keyId],
    ['X-Bella-Timestamp', timestamp],
    ['X-Bella-Signature', given],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name)
  if (missing.length > 0 || !keyId || !timestamp || !given) {
    return {ok: false, check: 'missing-headers', detail: `missing HMAC header(s): ${missing.join(', ')}`}
  }

  const signedAt = parseSigningTimestamp(timestamp)
  if (!signedAt) {
    return {
      ok: false,
      check: 'malformed-timestamp',
      detail: 'X-Bella-Timestamp is malformed: expected UTC yyyy-MM-ddTHH:mm:ssZ without fractional seconds',
    }
  }

  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS
  if (Math.abs(options.now.getTime() - signedAt.getTime()) > maxSkewMs) {
    return {
      ok: false,
      check: 'stale-timestamp',
      detail: `X-Bella-Timestamp is more than ${Math.round(maxSkewMs / 60000)} minutes away from the server clock (server time ${options.now.toISOString()}); check the client's clock`,
    }
  }

  const secret = options.lookupSecret(keyId)
  if (!secret) {
    return {ok: false, check: 'unknown-key', detail: 'the API key id in X-Bella-Key-Id is not known to this server'}
  }

  const expected = signature(secret, {
    method: request.method,
    path: request.rawPath,
    rawQuery: request.rawQuery,
    timestamp,
    body: request.body,
  })
  if (!signaturesEqual(expected, given)) {
    return {
      ok: false,
      check: 'bad-signature',
      detail:
        'X-Bella-Signature does not match the request: the string-to-sign is METHOD, raw path, canonical query, timestamp and body SHA-256, signed with the hex-decoded secret',
    }
  }
  return {ok: true, keyId}
}
