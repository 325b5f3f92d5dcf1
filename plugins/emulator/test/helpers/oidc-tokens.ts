/**
 * A test OIDC issuer: a key pair generated in the test process, and JWTs signed with it (RS256 or
 * ES256, node:crypto only). The public half goes into the emulator seed's `oidc:` section.
 */
import {generateKeyPairSync, sign, type KeyObject} from 'node:crypto'

export interface TestIssuer {
  issuer: string
  alg: 'RS256' | 'ES256'
  kid: string
  privateKey: KeyObject
  publicKeyPem: string
}

export function createTestIssuer(issuer: string, alg: 'RS256' | 'ES256' = 'RS256', kid = 'test-key-1'): TestIssuer {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', {modulusLength: 2048}) : generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return {issuer, alg, kid, privateKey: pair.privateKey, publicKeyPem: pair.publicKey.export({type: 'spki', format: 'pem'}).toString()}
}

export interface MintOptions {
  /** Seconds from now until `exp` (default 300; negative for an expired token). */
  expiresIn?: number
  /** Overrides `iss` (to forge a token from the wrong issuer). */
  iss?: string
  aud?: string | string[]
  header?: Record<string, unknown>
  now?: Date
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A signed JWT with iss/aud/iat/nbf/exp filled in; `claims` adds or overrides (sub, repository, …). */
export function mintJwt(issuer: TestIssuer, claims: Record<string, unknown>, options: MintOptions = {}): string {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const header = {alg: issuer.alg, typ: 'JWT', kid: issuer.kid, ...options.header}
  const payload = {
    iss: options.iss ?? issuer.issuer,
    aud: options.aud ?? 'bella-baxter',
    iat: now,
    nbf: now,
    exp: now + (options.expiresIn ?? 300),
    ...claims,
  }
  const data = `${b64url(header)}.${b64url(payload)}`
  const signature =
    issuer.alg === 'RS256'
      ? sign('sha256', Buffer.from(data), issuer.privateKey)
      : sign('sha256', Buffer.from(data), {key: issuer.privateKey, dsaEncoding: 'ieee-p1363'})
  return `${data}.${signature.toString('base64url')}`
}
