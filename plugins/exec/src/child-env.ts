/**
 * What the command started by `bella exec` sees. Pure: the inherited environment and the
 * credentials are passed in.
 *
 * bella's own variables never pass through: every inherited `BELLA_*` variable is removed (the
 * contract's list for exec, §2.3(a) — BELLA_BAXTER_API_KEY, _ACCESS_TOKEN, _PROJECT, _ENV, _URL,
 * _APP_CLIENT, BELLA_API_KEY, BELLA_API_URL — and also the device key BELLA_BAXTER_PRIVATE_KEY,
 * emulator settings such as BELLA_EMULATOR_POSTGRES_URL, and anything else in bella's namespace).
 * Then exactly what exec means to hand over is added.
 */
import {buildChildEnv, type GeneratedCredentials, type ResolvedCredentials, type Session} from '@bella/core'

export const BELLA_PREFIX = 'BELLA_'

/** The variables `--provider` sets (SPEC `bella exec`). */
export const DB_USERNAME = 'DB_USERNAME'
export const DB_PASSWORD = 'DB_PASSWORD'
export const DATABASE_URL = 'DATABASE_URL'
export const DB_CREDENTIALS_EXPIRES_AT = 'DB_CREDENTIALS_EXPIRES_AT'

/** GenerateCredentialsResponse (contract §2.3(b)). */
export type DatabaseCredentials = GeneratedCredentials

export interface BellaConnection {
  url: string
  credentials: ResolvedCredentials
  /** Passed on in bearer mode only (a token has no keys/me to ask); see bellaVariables. */
  project?: string
  environment?: string
}

/**
 * For apps that use a Bella SDK themselves:
 *  - API-key mode: `BELLA_BAXTER_URL` and `BELLA_BAXTER_API_KEY`, nothing else (the SDK asks
 *    keys/me for the key's project and environment).
 *  - Bearer mode: `BELLA_BAXTER_URL` and `BELLA_BAXTER_ACCESS_TOKEN`, plus `BELLA_BAXTER_PROJECT`
 *    and `BELLA_BAXTER_ENV` when bella knows them (-p/-e, their variables, .bella): a token cannot
 *    be asked for its scope, so the SDK needs them (as in the official CLI's JWT mode).
 */
export function bellaVariables(connection: BellaConnection): Record<string, string> {
  const {credentials} = connection
  if (credentials.kind === 'api-key') return {BELLA_BAXTER_URL: connection.url, BELLA_BAXTER_API_KEY: credentials.raw}
  return {
    BELLA_BAXTER_URL: connection.url,
    BELLA_BAXTER_ACCESS_TOKEN: credentials.token,
    ...(connection.project ? {BELLA_BAXTER_PROJECT: connection.project} : {}),
    ...(connection.environment ? {BELLA_BAXTER_ENV: connection.environment} : {}),
  }
}

/** bellaVariables for an open session: its URL, credential and (bearer mode) project and environment. */
export function sessionBellaVariables(session: Session): Record<string, string> {
  return bellaVariables({
    url: session.settings.apiUrl.value,
    credentials: session.credentials,
    project: session.settings.project?.value,
    environment: session.settings.environment?.value,
  })
}

/**
 * DB_USERNAME, DB_PASSWORD, DB_CREDENTIALS_EXPIRES_AT (ISO-8601, UTC) and DATABASE_URL when the
 * server gave a connection URL (used as given: the server percent-encodes user and password).
 */
export function databaseVariables(credentials: DatabaseCredentials, now: Date = new Date()): Record<string, string> {
  return {
    [DB_USERNAME]: credentials.username,
    [DB_PASSWORD]: credentials.password,
    [DB_CREDENTIALS_EXPIRES_AT]: expiryOf(credentials, now),
    ...(credentials.connectionUrl ? {[DATABASE_URL]: credentials.connectionUrl} : {}),
  }
}

/** The server's expiresAt normalised to ISO-8601 UTC; from leaseDurationSeconds if it is unreadable. */
export function expiryOf(credentials: Pick<DatabaseCredentials, 'expiresAt' | 'leaseDurationSeconds'>, now: Date = new Date()): string {
  const at = Date.parse(credentials.expiresAt)
  if (!Number.isNaN(at)) return new Date(at).toISOString()
  return new Date(now.getTime() + Math.max(0, credentials.leaseDurationSeconds) * 1000).toISOString()
}

export interface ExecEnvOptions {
  inherited: Readonly<Record<string, string | undefined>>
  /** Set on top of the inherited environment (they win over inherited variables). */
  add: Record<string, string>
  /** Inherited variables to drop besides BELLA_* (e.g. a stale DATABASE_URL). */
  remove?: readonly string[]
}

export function execChildEnv(options: ExecEnvOptions): Record<string, string> {
  const remove = new Set(options.remove ?? [])
  // fromEntries, not assignments: a variable named `__proto__` is data like any other.
  const inherited = Object.fromEntries(
    Object.entries(options.inherited).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith(BELLA_PREFIX) && !remove.has(entry[0]),
    ),
  )
  // buildChildEnv applies the same overlay rules as `bella run`; bella's credential names are
  // reserved there, so the ones exec hands over on purpose are let through by name.
  const {env} = buildChildEnv({
    inherited,
    secrets: options.add,
    passCredentials: true,
    allowReserved: false,
    allowNames: Object.keys(options.add).filter((name) => name.startsWith(BELLA_PREFIX)),
  })
  return env
}
