/**
 * `bella exec --provider` end to end against a real PostgreSQL through the emulator: the command
 * connects as the generated user, a second exec gets another user, the login is refused after the
 * TTL, nothing secret reaches bella's output or the emulator's log, and the README's migration
 * walk-through works as written.
 *
 * Needs PostgreSQL: BELLA_TEST_POSTGRES_URL (CI runs scripts/postgres.sh first), else
 * scripts/postgres.sh --no-install is tried; without either the tests say so and skip (not in CI).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {loadSeedFile, startEmulator, type Emulator, type EmulatorSeed} from '../../plugins/emulator/src/index.js'
import {bella, fixtures, isolatedHome, repoRoot} from '../helpers/cli.js'
import {createScratchDatabase, roleExists, testPostgresUrl, tryLogin, type ScratchDatabase} from '../helpers/postgres.js'

const serverUrl = testPostgresUrl('bella exec --provider end-to-end tests')
const describePg = serverUrl ? describe : describe.skip

/** psql from PATH or Debian's server directory (the client is installed with the server). */
function findPsql(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'psql'))) return join(dir, 'psql')
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  for (const version of readdirSync(base).sort().reverse()) if (existsSync(join(base, version, 'bin', 'psql'))) return join(base, version, 'bin', 'psql')
  return undefined
}

const KEY = 'bax-5a0b1c2d3e4f50617283940a1b2c3d4e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'

function seed(): EmulatorSeed {
  return {
    keys: [{key: KEY, project: 'shop', environment: 'dev'}],
    projects: [
      {
        slug: 'shop',
        environments: [
          {
            slug: 'dev',
            providers: [
              {
                slug: 'pg',
                type: 'postgres',
                maxTtl: 600,
                roles: {readonly: {default: true, grants: ['USAGE ON SCHEMA public', 'SELECT ON ALL TABLES IN SCHEMA public']}},
              },
            ],
          },
        ],
      },
    ],
  }
}

interface Whoami {
  currentUser: string
  sessionUser: string
  DB_USERNAME: string | null
  DB_PASSWORD: string | null
  DATABASE_URL: string | null
  DB_CREDENTIALS_EXPIRES_AT: string | null
  bellaVariables: string[]
}

describePg('bella exec --provider against PostgreSQL through the emulator', () => {
  let db: ScratchDatabase
  let emulator: Emulator
  const psql = findPsql()
  const env = () => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: KEY})
  const whoami = ['node', join(fixtures, 'exec-db-whoami.js')]

  beforeAll(async () => {
    db = await createScratchDatabase(serverUrl!, 'exec')
    emulator = await startEmulator({port: 0, seed: seed(), postgres: {adminUrl: db.adminUrl}})
  })

  afterAll(async () => {
    await emulator?.close()
    await db?.drop()
  })

  it('psql "$DATABASE_URL" connects as the generated user', async () => {
    expect(psql).toBeDefined()
    const r = await bella(['exec', '--provider', 'pg', '--', 'sh', '-c', `"${psql}" "$DATABASE_URL" -XAtc "select current_user"; echo "$DB_USERNAME"`], {env: env()})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const [connectedAs, dbUsername] = r.stdout.trim().split('\n')
    expect(connectedAs).toMatch(/^bella_readonly_[0-9a-f]{10}$/)
    expect(connectedAs).toBe(dbUsername)
  })

  it('a node-postgres client gets DB_USERNAME, DB_PASSWORD, DATABASE_URL and the expiry, and no BELLA_* variable', async () => {
    const started = Date.now()
    const r = await bella(['exec', '--provider', 'pg', '--ttl', '300', '--', ...whoami], {env: {...env(), BELLA_BAXTER_PROJECT: 'shop', DATABASE_URL: 'postgres://stale'}})
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout) as Whoami
    expect(seen.currentUser).toBe(seen.DB_USERNAME)
    expect(seen.sessionUser).toBe(seen.DB_USERNAME)
    expect(seen.DB_PASSWORD).toHaveLength(32)
    expect(seen.DATABASE_URL).toBe(`postgresql://${seen.DB_USERNAME}:${encodeURIComponent(seen.DB_PASSWORD!)}@${new URL(db.adminUrl).host}/${db.name}`)
    expect(seen.DB_CREDENTIALS_EXPIRES_AT).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(seen.DB_CREDENTIALS_EXPIRES_AT!) - started).toBeGreaterThan(295_000)
    expect(Date.parse(seen.DB_CREDENTIALS_EXPIRES_AT!) - started).toBeLessThan(310_000)
    expect(seen.bellaVariables).toEqual([])
  })

  it('a second exec gets a different user', async () => {
    const first = JSON.parse((await bella(['exec', '--provider', 'pg', '--', ...whoami], {env: env()})).stdout) as Whoami
    const second = JSON.parse((await bella(['exec', '--provider', 'pg', '--', ...whoami], {env: env()})).stdout) as Whoami
    expect(second.currentUser).not.toBe(first.currentUser)
    expect(second.DB_PASSWORD).not.toBe(first.DB_PASSWORD)
  })

  it('after the TTL the login is refused', async () => {
    const r = await bella(['exec', '--provider', 'pg', '--ttl', '2', '--', ...whoami], {env: env()})
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout) as Whoami
    expect(seen.currentUser).toBe(seen.DB_USERNAME)
    const until = Date.parse(seen.DB_CREDENTIALS_EXPIRES_AT!)
    await sleep(Math.max(0, until - Date.now()) + 1500)
    const login = await tryLogin(seen.DATABASE_URL!)
    expect(login.ok).toBe(false)
    expect(login.ok ? '' : login.error).toMatch(/password authentication failed/)
  })

  it("passes the command's exit status through and forwards signals, as bella run does", async () => {
    expect((await bella(['exec', '--provider', 'pg', '--', 'sh', '-c', 'exit 3'], {env: env()})).code).toBe(3)
    expect((await bella(['exec', '--provider', 'pg', '--', 'sh', '-c', 'kill -TERM $PPID; sleep 5'], {env: env()})).code).toBe(143)
  })

  it("never prints the credentials, not even with --verbose, and the emulator's log holds none", async () => {
    emulator.clearRequests()
    const r = await bella(['exec', '--verbose', '--provider', 'pg', '--', ...whoami], {env: env()})
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout) as Whoami
    expect(r.stderr).toMatch(/database credentials from shop\/dev\/pg, lease [0-9a-f-]{36}, valid until /)
    const log = JSON.stringify(emulator.requests())
    for (const secret of [seen.DB_USERNAME!, seen.DB_PASSWORD!, encodeURIComponent(seen.DB_PASSWORD!), seen.DATABASE_URL!]) {
      expect(r.stderr).not.toContain(secret)
      expect(log).not.toContain(secret)
    }
  })
})

describePg('the README walk-through: migrations with ephemeral credentials', () => {
  let db: ScratchDatabase
  let emulator: Emulator
  const psql = findPsql()
  const migrations = join(repoRoot, 'plugins', 'exec', 'examples', 'migrations')
  const env = () => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})

  // The README's app_owner, under a name of this run's own: roles belong to the whole server (which
  // other runs may share), so the test creates its own and drops it afterwards.
  const owner = `app_owner_${randomBytes(4).toString('hex')}`

  beforeAll(async () => {
    db = await createScratchDatabase(serverUrl!, 'readme')
    // The README's one-time setup: a role that owns what migrations create.
    await db.query(`CREATE ROLE "${owner}" NOLOGIN`)
    await db.query(`GRANT USAGE, CREATE ON SCHEMA public TO "${owner}"`)
    const seed = await loadSeedFile(join(repoRoot, 'plugins', 'emulator', 'seed.example.yaml'))
    emulator = await startEmulator({
      port: 0,
      seed: JSON.parse(JSON.stringify(seed).replaceAll('"owner":"app_owner"', `"owner":"${owner}"`)) as EmulatorSeed,
      postgres: {adminUrl: db.adminUrl},
    })
  })

  afterAll(async () => {
    await emulator?.close()
    await db?.query(`DROP OWNED BY "${owner}"`).catch(() => {})
    await db?.drop()
    await db?.dropRole(owner)
    // Nothing of this run stays on the server.
    expect(await roleExists(serverUrl!, owner)).toBe(false)
  })

  it('runs each migration as a new user, and the second can alter what the first created', async () => {
    expect(psql).toBeDefined()
    const migrate = (file: string) =>
      bella(['exec', '-p', 'shop', '-e', 'dev', '--provider', 'pg', '--role', 'migrate', '--ttl', '600', '--', 'sh', '-c', `"${psql}" "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -f "${join(migrations, file)}" && echo "$DB_USERNAME"`], {
        env: env(),
      })
    const first = await migrate('001_create_orders.sql')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const second = await migrate('002_add_order_status.sql')
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(first.stdout.trim()).toMatch(/^bella_migrate_[0-9a-f]{10}$/)
    expect(second.stdout.trim()).not.toBe(first.stdout.trim())

    const columns = await db.query<{column_name: string}>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`)
    expect(columns.rows.map((c) => c.column_name)).toEqual(['id', 'customer', 'created_at', 'status'])
    const table = await db.query<{tableowner: string}>(`SELECT tableowner FROM pg_tables WHERE tablename = 'orders'`)
    expect(table.rows[0]!.tableowner).toBe(owner)

    // The default role reads with its own, shorter-lived user.
    const read = await bella(['exec', '-p', 'shop', '-e', 'dev', '--provider', 'pg', '--', 'sh', '-c', `"${psql}" "$DATABASE_URL" -XAtc "select count(*) from orders"`], {env: env()})
    expect(read.code).toBe(0)
    expect(read.stdout.trim()).toBe('0')
  })
})
