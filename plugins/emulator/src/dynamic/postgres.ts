/**
 * The PostgreSQL side of dynamic credentials: creating a login role that expires, and dropping it.
 * `pg` is imported here lazily, on the first request for credentials, so an emulator without a
 * database provider (and every other bella command) never loads it.
 *
 * Every statement is built from quoted identifiers and literals (sql.ts); the only SQL text taken
 * as written is a role's grant clauses from the seed. The password itself never reaches the
 * server: CREATE ROLE gets its SCRAM verifier.
 */
import type {Pool, PoolClient} from 'pg'
import {adminUrlFor, parseAdminUrl, quoteIdent, quoteLiteral, type PostgresEndpoint} from './sql.js'

/** COMMENT ON ROLE marker: how a later emulator recognises roles an earlier one left behind. */
export const LEASE_COMMENT_PREFIX = 'bella emulator lease '

export interface CreateUserSpec {
  database: string
  username: string
  /** SCRAM verifier of the password (scramSha256Verifier). */
  passwordVerifier: string
  validUntil: Date
  grants: readonly string[]
  owner: string | null
  leaseId: string
}

/** A failure talking to PostgreSQL, already worded for an HTTP answer (never holding a password). */
export class PostgresError extends Error {
  constructor(
    message: string,
    /** `unavailable`: could not connect or log in; `rejected`: a statement failed. */
    readonly kind: 'unavailable' | 'rejected',
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : {cause})
    this.name = 'PostgresError'
  }
}

// Connection-level SQLSTATE classes: 08 connection exception, 28 invalid authorization,
// 3D invalid catalog name (database does not exist), 57P03 cannot connect now.
const UNAVAILABLE_SQLSTATE = /^(08|28|3D|57P0[1-3])/

// Catalog races ("tuple concurrently updated", serialization failure, deadlock): another session
// (another emulator on the same cluster) changed the same role or ACL; trying again succeeds.
const RETRYABLE_SQLSTATE = new Set(['XX000', '40001', '40P01'])

export class PostgresAdmin {
  readonly endpoint: PostgresEndpoint
  private readonly pools = new Map<string, Pool>()
  private closed = false
  /**
   * Role and grant changes run one at a time: two transactions that GRANT on the same tables or
   * drop roles in parallel fail with "tuple concurrently updated" (they update the same catalog
   * rows), so parallel requests and close() dropping every lease at once queue up here.
   */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly adminUrl: string,
    private readonly onBackgroundError: (error: unknown) => void = () => {},
  ) {
    this.endpoint = parseAdminUrl(adminUrl)
  }

  /** `admin@127.0.0.1:5432/db`: for banners and messages (no password). */
  describe(database = this.endpoint.database): string {
    return `${this.endpoint.user}@${this.endpoint.hostPort}/${database}`
  }

  /** Creates the login role in one transaction: all grants apply, or the role does not exist. */
  createUser(spec: CreateUserSpec): Promise<void> {
    return this.serially(() => this.createUserNow(spec))
  }

  private async createUserNow(spec: CreateUserSpec): Promise<void> {
    const user = quoteIdent(spec.username)
    const statements = [
      `CREATE ROLE ${user} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${quoteLiteral(spec.passwordVerifier)} VALID UNTIL ${quoteLiteral(spec.validUntil.toISOString())}`,
      `COMMENT ON ROLE ${user} IS ${quoteLiteral(`${LEASE_COMMENT_PREFIX}${spec.leaseId}`)}`,
      ...spec.grants.map((grant) => `GRANT ${grant} TO ${user}`),
      ...(spec.owner ? [`GRANT ${quoteIdent(spec.owner)} TO ${user}`, `ALTER ROLE ${user} SET role = ${quoteLiteral(spec.owner)}`] : []),
    ]
    await this.withClient(spec.database, async (client) => {
      await client.query('BEGIN')
      try {
        for (const [i, sql] of statements.entries()) {
          try {
            await client.query(sql)
          } catch (error) {
            // Name the seed's grant (not the CREATE ROLE, which holds the verifier).
            const what = i < 2 ? 'CREATE ROLE' : (sql.split(' TO ')[0] ?? 'GRANT')
            throw rejected(`${what} failed: ${messageOf(error)}`, error)
          }
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      }
    })
  }

  /**
   * Ends the role's sessions, hands whatever it owns in `database` to the admin role, and drops
   * it. Dropping a role that is already gone is not an error.
   */
  dropUser(database: string, username: string): Promise<void> {
    return this.serially(() => this.dropUserNow(database, username))
  }

  private async dropUserNow(database: string, username: string): Promise<void> {
    const user = quoteIdent(username)
    await this.withClient(database, async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])
      if (exists.rowCount === 0) return
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [username])
      await client.query('BEGIN')
      try {
        await client.query(`REASSIGN OWNED BY ${user} TO CURRENT_USER`)
        await client.query(`DROP OWNED BY ${user}`)
        await client.query(`DROP ROLE IF EXISTS ${user}`)
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw rejected(`could not drop ${username}: ${messageOf(error)}`, error)
      }
    })
  }

  /** Roles an earlier emulator created and could not drop (it was killed), now past VALID UNTIL. */
  async expiredLeftovers(database: string): Promise<string[]> {
    return this.withClient(database, async (client) => {
      const result = await client.query<{rolname: string}>(
        `SELECT rolname FROM pg_roles r
          WHERE r.rolvaliduntil < now() AND shobj_description(r.oid, 'pg_authid') LIKE $1`,
        [`${LEASE_COMMENT_PREFIX}%`],
      )
      return result.rows.map((row) => row.rolname)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})))
  }

  /** Runs `work` after everything queued before it, retrying a catalog race twice. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      for (let tries = 1; ; tries++) {
        try {
          return await work()
        } catch (error) {
          const code = ((error as {cause?: {code?: unknown}}).cause ?? (error as {code?: unknown}))?.code
          if (tries >= 3 || typeof code !== 'string' || !RETRYABLE_SQLSTATE.has(code)) throw error
          await new Promise((resolve) => setTimeout(resolve, 50 * tries))
        }
      }
    }
    const run = this.queue.then(attempt, attempt)
    this.queue = run.catch(() => {})
    return run
  }

  private async withClient<T>(database: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = await this.pool(database)
    let client: PoolClient
    try {
      client = await pool.connect()
    } catch (error) {
      throw new PostgresError(`cannot connect to PostgreSQL as ${this.describe(database)}: ${messageOf(error)}`, 'unavailable')
    }
    try {
      return await work(client)
    } finally {
      client.release()
    }
  }

  private async pool(database: string): Promise<Pool> {
    if (this.closed) throw new PostgresError('the emulator is shutting down', 'unavailable')
    const existing = this.pools.get(database)
    if (existing) return existing
    let PgPool: typeof Pool
    try {
      PgPool = (await import('pg')).default.Pool
    } catch {
      throw new PostgresError('the "pg" package is not installed next to the emulator (npm install pg)', 'unavailable')
    }
    const again = this.pools.get(database)
    if (again) return again
    const pool = new PgPool({
      connectionString: adminUrlFor(this.adminUrl, database),
      max: 3,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 5_000,
      allowExitOnIdle: true,
      application_name: 'bella-emulator',
    })
    // An idle connection dropped by the server must not crash the emulator.
    pool.on('error', (error) => this.onBackgroundError(error))
    this.pools.set(database, pool)
    return pool
  }
}

function rejected(message: string, cause: unknown): PostgresError {
  const code = (cause as {code?: unknown} | null)?.code
  return new PostgresError(message, typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code) ? 'unavailable' : 'rejected', cause)
}

/** The server's or the socket's message, on one line. pg errors never echo statement text. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const code = (error as {code?: unknown} | null)?.code
  const line = text.replace(/\s+/g, ' ').trim() || (typeof code === 'string' ? code : 'unknown error')
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
