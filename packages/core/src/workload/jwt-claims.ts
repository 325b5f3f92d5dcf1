/**
 * Reads a JWT's claims WITHOUT verifying it. bella only uses this to describe the identity it is
 * about to use (subject, issuer) and to refuse sending a token to the wrong audience; the server
 * verifies the signature. Never log the token itself.
 */
export type JwtClaims = Record<string, unknown>

export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as JwtClaims) : undefined
  } catch {
    return undefined
  }
}

/** The `aud` claim as a list (it may be a string or an array). */
export function audiencesOf(claims: JwtClaims): string[] {
  const aud = claims.aud
  if (typeof aud === 'string') return [aud]
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []
}

/** `sub`, shortened for one line of stderr; subjects are identifiers, not secrets. */
export function subjectOf(claims: JwtClaims): string {
  const sub = typeof claims.sub === 'string' && claims.sub.trim() ? claims.sub.trim() : '(no subject)'
  return sub.length > 120 ? `${sub.slice(0, 119)}…` : sub
}
