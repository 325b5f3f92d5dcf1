/**
 * Turns a request's credentials into a Principal, or a 401 whose detail says which check failed.
 * An API-key signature (contract §1.2) wins when any X-Bella-* signing header is present; otherwise
 * `Authorization: Bearer` is looked up in the emulator's token table.
 */
import {headerValue, unauthorized, type IncomingRequest} from '../http.js'
import {type EmulatorState, type GrantState, grantOf, type Principal} from '../state.js'
import {verifyHmacRequest} from './hmac-verifier.js'

const SIGNING_HEADERS = ['x-bella-key-id', 'x-bella-timestamp', 'x-bella-signature']
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

export function authenticate(request: IncomingRequest, state: EmulatorState, now: Date): Principal {
  const signed = SIGNING_HEADERS.some((name) => request.headers[name] !== undefined)
  const authorization = headerValue(request.headers, 'authorization')
  if (!signed && authorization !== undefined) return authenticateBearer(authorization, state, now)
  if (!signed) {
    throw unauthorized(
      'no credentials: sign the request with an API key (X-Bella-Key-Id, X-Bella-Timestamp, X-Bella-Signature) or send Authorization: Bearer <token>',
    )
  }

  const verdict = verifyHmacRequest(request, {now, lookupSecret: (id) => state.apiKey(id)?.secret})
  if (!verdict.ok) throw unauthorized(verdict.detail)
  const key = state.apiKey(verdict.keyId)!
  // Checked after the signature, so only the key's holder learns that it was revoked or expired.
  assertUsable(key, 'API key', now)
  key.lastUsedAt = now
  key.usageCount = (key.usageCount ?? 0) + 1
  return {kind: 'api-key', id: key.id, ...grantOf(key)}
}

function authenticateBearer(authorization: string, state: EmulatorState, now: Date): Principal {
  const match = BEARER.exec(authorization)
  if (!match) throw unauthorized('the Authorization header must be "Bearer <token>"')
  const token = state.token(match[1]!)
  if (!token) throw unauthorized('the bearer token is not known to this server')
  assertUsable(token, 'bearer token', now)
  return {kind: 'token', id: token.id, ...grantOf(token)}
}

function assertUsable(credential: GrantState, what: string, now: Date): void {
  if (credential.revoked) throw unauthorized(`the ${what} has been revoked`)
  if (credential.expires && credential.expires.getTime() <= now.getTime()) {
    throw unauthorized(`the ${what} expired at ${credential.expires.toISOString()}`)
  }
}
