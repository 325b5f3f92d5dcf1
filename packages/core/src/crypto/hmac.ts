/**
 * HMAC request signing, contract §1.2, using the official CLI's (.NET) query canonicalisation as
 * the reference. Pure functions: the emulator verifies with the same code it signs with.
 */
import {createHash, createHmac, timingSafeEqual} from 'node:crypto'

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** RFC 3986 strict escaping with upper-case hex (.NET Uri.EscapeDataString). */
function escapeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Decodes %XX as UTF-8 and leaves `+` alone; malformed escapes stay as they are (like .NET). */
function unescapeLenient(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

/** Canonical query from the raw query string as sent on the wire (without `?`). */
export function canonicalQuery(rawQuery: string): string {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery
  const parts: string[] = []
  for (const segment of query.split('&')) {
    if (segment === '') continue
    const eq = segment.indexOf('=')
    if (eq === -1) {
      parts.push(segment)
      continue
    }
    const k = segment.slice(0, eq)
    const v = segment.slice(eq + 1)
    parts.push(`${escapeStrict(unescapeLenient(k))}=${escapeStrict(unescapeLenient(v))}`)
  }
  // Ordinal (UTF-16 code unit) order on the whole `k=v` string.
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return parts.join('&')
}

export function sha256Hex(body: Buffer | string): string {
  if (body.length === 0) return EMPTY_SHA256
  return createHash('sha256').update(body).digest('hex')
}

/** `yyyy-MM-ddTHH:mm:ssZ`, whole seconds, UTC. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`
}

export interface SigningInput {
  method: string
  /** The path exactly as sent, still percent-encoded, without query. */
  path: string
  /** The raw query as sent, without `?` (may be empty). */
  rawQuery: string
  timestamp: string
  body: Buffer | string
}

export function stringToSign(input: SigningInput): string {
  return [
    input.method.toUpperCase(),
    input.path,
    canonicalQuery(input.rawQuery),
    input.timestamp,
    sha256Hex(input.body),
  ].join('\n')
}

export function signature(secret: Buffer, input: SigningInput): string {
  return createHmac('sha256', secret).update(stringToSign(input), 'utf8').digest('hex')
}

/** The three signing headers for one request. */
export function signRequest(
  key: {keyId: string; secret: Buffer},
  input: Omit<SigningInput, 'timestamp'>,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = formatTimestamp(now)
  return {
    'X-Bella-Key-Id': key.keyId,
    'X-Bella-Timestamp': timestamp,
    'X-Bella-Signature': signature(key.secret, {...input, timestamp}),
  }
}

/** Constant-time comparison of two lowercase hex signatures. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
