/**
 * A real PostgreSQL for the dynamic-credential tests.
 *
 * The server comes from BELLA_TEST_POSTGRES_URL (what CI exports after running
 * scripts/postgres.sh); without it, scripts/postgres.sh --no-install is tried, which starts a
 * throwaway server when PostgreSQL is installed. When neither works the tests say why and skip —
 * except under CI, where they must run, so that is a failure.
 *
 * Each test file gets its own scratch database (dropped at the end), so files can run in parallel
 * and reruns start clean. A server the script had to start is recorded (POSTGRES_STARTED_MARK, set
 * by the jest global setup), and the global teardown stops it: a server that was already running
 * before the tests stays (test/setup/postgres-global.js).
 */
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import pg from 'pg'
import {repoRoot} from './cli.js'

export const POSTGRES_URL_VAR = 'BELLA_TEST_POSTGRES_URL'
/** A file the test run's global setup names: written when a test started the server, so teardown stops it. */
export const POSTGRES_STARTED_MARK = 'BELLA_TEST_POSTGRES_STARTED_MARK'

let cached: {url?: string; reason?: string} | undefined

/**
 * The test server's URL: BELLA_TEST_POSTGRES_URL, else scripts/postgres.sh --no-install (which
 * reuses a running server or starts one; a start is recorded in the mark file named by `env`).
 */
export function locateTestServer(env: NodeJS.ProcessEnv = process.env): {url?: string; reason?: string; started?: boolean} {
  const fromEnv = env[POSTGRES_URL_VAR]?.trim()
  if (fromEnv) return {url: fromEnv}
  const script = join(repoRoot, 'scripts', 'postgres.sh')
  const run = spawnSync('bash', [script, '--no-install'], {encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'], env})
  const match = /^export BELLA_TEST_POSTGRES_URL='([^']+)'$/m.exec(run.stdout ?? '')
  if (run.status === 0 && match) {
    const started = /starting the server/.test(run.stderr ?? '')
    const mark = env[POSTGRES_STARTED_MARK]
    if (started && mark) writeFileSync(mark, 'started by the tests\n')
    return {url: match[1], started}
  }
  const why = (run.stderr ?? '').trim().split('\n').pop() || run.error?.message || `exit ${run.status}`
  return {reason: `${POSTGRES_URL_VAR} is not set and scripts/postgres.sh --no-install could not start a server (${why})`}
}

/**
 * The admin URL of a test server, or undefined (with a message on stderr) when there is none.
 * Throws under CI=true: CI runs scripts/postgres.sh first, so a missing server there is a bug.
 */
export function testPostgresUrl(suite: string): string | undefined {
  cached ??= locateTestServer()
  if (cached.url) return cached.url
  if (process.env.CI === 'true') {
    throw new Error(`${suite}: PostgreSQL is required in CI. ${cached.reason}. Run: pg_env="$(bash scripts/postgres.sh)"; eval "$pg_env"`)
  }
  process.stderr.write(`\n${suite}: SKIPPED (no PostgreSQL): ${cached.reason}.\nTo run them: pg_env="$(bash scripts/postgres.sh)"; eval "$pg_env"\n\n`)
  return undefined
}

export interface ScratchDatabase {
  /** Admin URL of the new database: what the emulator's --postgres-url gets. */
  adminUrl: string
  name: string
  /** Runs SQL as the admin in the scratch database. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>
  drop(): Promise<void>
  /** Drops a role this test created (roles belong to the whole server, not to the database). */
  dropRole(name: string): Promise<void>
}

/** Runs one statement as the admin, in the admin database. */
async function asAdmin<R extends pg.QueryResultRow>(adminUrl: string, sql: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({connectionString: adminUrl})
  await client.connect()
  try {
    return await client.query<R>(sql, values)
  } finally {
    await client.end()
  }
}

/** Whether a role of that name exists on the server. */
export async function roleExists(adminUrl: string, name: string): Promise<boolean> {
  return (await asAdmin(adminUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
}

export async function createScratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `bella_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({connectionString: adminUrl})
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const pool = new pg.Pool({connectionString: url.toString(), max: 2})
  return {
    adminUrl: url.toString(),
    name,
    query: (sql, values) => pool.query(sql, values),
    async drop() {
      await pool.end()
      const client = new pg.Client({connectionString: adminUrl})
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
    async dropRole(role) {
      await asAdmin(adminUrl, `DROP ROLE IF EXISTS "${role.replace(/"/g, '""')}"`)
    },
  }
}

/** Tries to log in with a connection URL: the current/session user, or the error message. */
export async function tryLogin(connectionUrl: string): Promise<{ok: true; currentUser: string; sessionUser: string} | {ok: false; error: string}> {
  const client = new pg.Client({connectionString: connectionUrl, connectionTimeoutMillis: 5000})
  try {
    await client.connect()
    const {rows} = await client.query<{current_user: string; session_user: string}>('SELECT current_user, session_user')
    return {ok: true, currentUser: rows[0]!.current_user, sessionUser: rows[0]!.session_user}
  } catch (error) {
    return {ok: false, error: (error as Error).message}
  } finally {
    await client.end().catch(() => {})
  }
}
