/**
 * Pure helpers for the PostgreSQL role manager: identifier and literal quoting, generated user
 * names and passwords, the SCRAM verifier sent instead of the password, and the connection URL
 * handed to the client. No I/O and no `pg` import here, so all of it is unit-tested without a
 * server.
 */
import {createHash, createHmac, pbkdf2, randomBytes, randomInt} from 'node:crypto'
import {promisify} from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63

/**
 * `"name"` with embedded quotes doubled: safe for any role, schema or database name. NUL cannot be
 * represented in an identifier at all and is refused.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('an SQL identifier cannot contain NUL')
  return `"${name.replace(/"/g, '""')}"`
}

/**
 * A string literal: quotes doubled; with backslashes present, an E'' literal with them doubled
 * too, so the result is right whatever `standard_conforming_strings` says (as pg's escapeLiteral).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('an SQL literal cannot contain NUL')
  const body = value.replace(/'/g, "''")
  return value.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`
}

/**
 * `bella_<role>_<10 hex>`: lower case, letters/digits/underscore only, at most 63 bytes. The role
 * part is for people reading pg_stat_activity; uniqueness comes from the random part.
 */
export function generatedUsername(role: string): string {
  const readable = role.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || 'role'
  return `bella_${readable}_${randomBytes(5).toString('hex')}`
}

/**
 * Letters and digits plus a few characters that are harmless in shells and SQL but must be
 * percent-encoded in a URL (`@ % : + = ^ ,`), so a client that forgets to encode fails loudly
 * in tests rather than with one password in fifty in production.
 */
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~@%+=:^,'
export const PASSWORD_LENGTH = 32

export function generatedPassword(length = PASSWORD_LENGTH): string {
  let out = ''
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]
  return out
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` form). Sending this in CREATE ROLE
 * instead of the password means the plain password never reaches the server, so it cannot end up
 * in a statement log. Passwords here are ASCII, for which SASLprep changes nothing.
 */
export async function scramSha256Verifier(password: string, options: {iterations?: number; salt?: Buffer} = {}): Promise<string> {
  const iterations = options.iterations ?? 4096
  const salt = options.salt ?? randomBytes(16)
  const salted = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

/** The parts of the admin URL the emulator keeps; never includes the admin's password. */
export interface PostgresEndpoint {
  /** `host:port` as written (`127.0.0.1:5432`, `[::1]:5432`, `localhost`). */
  hostPort: string
  /** The database the admin URL names (default `postgres`). */
  database: string
  /** The admin's user name (for the banner; default `postgres`). */
  user: string
  /** Query parameters worth passing on to clients (sslmode, …), without credentials. */
  params: Array<[string, string]>
}

const CLIENT_PARAMS = new Set(['sslmode', 'sslrootcert', 'connect_timeout', 'application_name', 'options', 'target_session_attrs'])

/** Loopback addresses and names: the emulator only ever talks to a server on this machine. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h)
}

/**
 * Parses and checks an admin connection URL (`postgres://admin:pw@127.0.0.1:5432/db`). Throws an
 * Error whose message never contains the password.
 */
export function parseAdminUrl(adminUrl: string): PostgresEndpoint {
  let url: URL
  try {
    url = new URL(adminUrl)
  } catch {
    throw new Error('the PostgreSQL admin URL is not a URL; expected postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`the PostgreSQL admin URL must start with postgres:// or postgresql://, not ${url.protocol}//`)
  }
  if (url.hostname === '' || url.searchParams.has('host')) {
    throw new Error('the PostgreSQL admin URL must name a TCP host on this machine, e.g. postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE')
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new Error(`the emulator only connects to a PostgreSQL server on this machine (127.0.0.1, ::1, localhost), not ${url.hostname}`)
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'
  const params: Array<[string, string]> = []
  for (const [k, v] of url.searchParams) if (CLIENT_PARAMS.has(k)) params.push([k, v])
  return {
    hostPort: url.host,
    database,
    user: decodeURIComponent(url.username) || 'postgres',
    params,
  }
}

/** The admin URL with another database (and nothing else changed): what the admin pool connects to. */
export function adminUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${encodeURIComponent(database)}`
  return url.toString()
}

/**
 * `postgresql://USER:PASSWORD@HOST:PORT/DATABASE?…` with user, password and database
 * percent-encoded (every character outside A–Z a–z 0–9 - _ . ! ~ * ' ( )), so any password
 * round-trips through libpq, node-postgres, JDBC-style parsers and `new URL`.
 */
export function connectionUrl(endpoint: PostgresEndpoint, database: string, user: string, password: string): string {
  const params = endpoint.params
  const query = params.length === 0 ? '' : `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${endpoint.hostPort}/${encodeURIComponent(database)}${query}`
}
