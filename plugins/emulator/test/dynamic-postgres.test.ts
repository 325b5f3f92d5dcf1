/**
 * Dynamic credentials against a real PostgreSQL: the user exists, can log in with exactly what
 * the response says, holds the seed's grants and nothing more, expires with its lease, and is
 * gone after the lease ends or the emulator stops. Skipped (with a message) without a server,
 * except in CI (test/helpers/postgres.ts).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {setTimeout as sleep} from 'node:timers/promises'
import pg from 'pg'
import {createScratchDatabase, testPostgresUrl, tryLogin, type ScratchDatabase} from '../../../test/helpers/postgres.js'
import {startEmulator, type Emulator, type EmulatorSeed} from '../src/index.js'
import {LEASE_COMMENT_PREFIX} from '../src/dynamic/postgres.js'
import {KEYS} from './helpers/seeds.js'
import {send} from './helpers/signed-request.js'

const serverUrl = testPostgresUrl('emulator dynamic-credential tests against PostgreSQL')
const describePg = serverUrl ? describe : describe.skip

const BASE = '/api/v1/projects/shop/environments/dev/providers/pg/credentials'

function seed(ownerRole: string): EmulatorSeed {
  return {
    keys: [{key: KEYS.shopDev, project: 'shop', environment: 'dev'}],
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
                roles: {
                  readonly: {default: true, grants: ['USAGE ON SCHEMA public', 'SELECT ON ALL TABLES IN SCHEMA public']},
                  writer: {grants: ['USAGE, CREATE ON SCHEMA public']},
                  migrate: {owner: ownerRole, grants: []},
                  broken: {grants: ['SELECT ON no_such_table']},
                },
              },
            ],
          },
        ],
      },
    ],
  }
}

interface Generated {
  username: string
  password: string
  expiresAt: string
  leaseDurationSeconds: number
  leaseId: string
  connectionUrl: string
}

describePg('dynamic credentials against PostgreSQL', () => {
  let db: ScratchDatabase
  let emulator: Emulator
  const ownerRole = `bella_test_owner_${process.pid}`

  const generate = async (body: {role: string | null; ttlSeconds: number | null}) => {
    const res = await send({url: emulator.url, apiKey: KEYS.shopDev}, {method: 'POST', path: `${BASE}/generate`, body: JSON.stringify(body)})
    return {status: res.status, text: res.text, json: () => res.json<Generated>()}
  }

  beforeAll(async () => {
    db = await createScratchDatabase(serverUrl!, 'emulator')
    await db.query('CREATE TABLE things (id int)')
    await db.query('INSERT INTO things VALUES (1), (2)')
    await db.query(`DO $$ BEGIN CREATE ROLE ${ownerRole} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
    await db.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${ownerRole}`)
    emulator = await startEmulator({port: 0, seed: seed(ownerRole), postgres: {adminUrl: db.adminUrl}})
  })

  afterAll(async () => {
    await emulator?.close()
    await db?.query(`DROP OWNED BY ${ownerRole}`).catch(() => {})
    await db?.drop()
    const admin = new pg.Client({connectionString: serverUrl})
    await admin.connect()
    await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`).catch(() => {})
    await admin.end()
  })

  it('creates a login role that works with the returned connection URL and holds the role’s grants', async () => {
    const res = await generate({role: null, ttlSeconds: 120})
    expect(res.status).toBe(200)
    const c = res.json()
    expect(c.username).toMatch(/^bella_readonly_[0-9a-f]{10}$/)
    expect(c.leaseDurationSeconds).toBe(120)
    expect(Math.abs(Date.parse(c.expiresAt) - Date.now() - 120_000)).toBeLessThan(5000)
    expect(c.connectionUrl).toBe(
      `postgresql://${c.username}:${encodeURIComponent(c.password)}@${new URL(db.adminUrl).host}/${db.name}`,
    )

    const role = await db.query<{rolvaliduntil: Date; rolsuper: boolean; rolcreaterole: boolean; comment: string}>(
      `SELECT rolvaliduntil, rolsuper, rolcreaterole, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`,
      [c.username],
    )
    expect(role.rows[0]!.rolvaliduntil.toISOString()).toBe(c.expiresAt)
    expect(role.rows[0]!.rolsuper).toBe(false)
    expect(role.rows[0]!.rolcreaterole).toBe(false)
    expect(role.rows[0]!.comment).toBe(`${LEASE_COMMENT_PREFIX}${c.leaseId}`)
    // The server stored a SCRAM verifier, never the password.
    const secret = await db.query<{rolpassword: string}>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [c.username])
    expect(secret.rows[0]!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/)

    const client = new pg.Client({connectionString: c.connectionUrl})
    await client.connect()
    try {
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(c.username)
      expect((await client.query('SELECT count(*)::int AS n FROM things')).rows[0].n).toBe(2)
      await expect(client.query('INSERT INTO things VALUES (3)')).rejects.toThrow(/permission denied/)
      await expect(client.query('CREATE TABLE mine (x int)')).rejects.toThrow(/permission denied/)
    } finally {
      await client.end()
    }
    expect(emulator.dynamicCredentials.list().map((l) => l.username)).toContain(c.username)
  })

  it('gives every request its own user and password', async () => {
    const a = (await generate({role: 'readonly', ttlSeconds: 60})).json()
    const b = (await generate({role: 'readonly', ttlSeconds: 60})).json()
    expect(a.username).not.toBe(b.username)
    expect(a.password).not.toBe(b.password)
    expect(await tryLogin(a.connectionUrl)).toMatchObject({ok: true, currentUser: a.username})
    expect(await tryLogin(b.connectionUrl)).toMatchObject({ok: true, currentUser: b.username})
  })

  it('at the end of the lease: logins are refused, open sessions are ended, the user is dropped, its tables kept', async () => {
    const c = (await generate({role: 'writer', ttlSeconds: 2})).json()
    const session = new pg.Client({connectionString: c.connectionUrl})
    session.on('error', () => {}) // the termination arrives as an error event
    await session.connect()
    await session.query('CREATE TABLE made_by_writer (x int)')
    await sleep(3500)
    const login = await tryLogin(c.connectionUrl)
    expect(login).toMatchObject({ok: false})
    expect(login.ok ? '' : login.error).toMatch(/password authentication failed/)
    await expect(session.query('SELECT 1')).rejects.toThrow()
    await session.end().catch(() => {})
    const left = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [c.username])
    expect(left.rowCount).toBe(0)
    const table = await db.query<{owner: string}>(`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'made_by_writer'`)
    expect(table.rows[0]?.owner).toBe(new URL(db.adminUrl).username)
    expect(emulator.dynamicCredentials.list().map((l) => l.username)).not.toContain(c.username)
  })

  it('with owner: what the user creates belongs to the owner role, so the next user can alter it', async () => {
    const first = (await generate({role: 'migrate', ttlSeconds: 60})).json()
    const one = new pg.Client({connectionString: first.connectionUrl})
    await one.connect()
    expect((await one.query('SELECT current_user AS c, session_user AS s')).rows[0]).toEqual({c: ownerRole, s: first.username})
    await one.query('CREATE TABLE orders (id int)')
    await one.end()
    const second = (await generate({role: 'migrate', ttlSeconds: 60})).json()
    const two = new pg.Client({connectionString: second.connectionUrl})
    await two.connect()
    await two.query('ALTER TABLE orders ADD COLUMN status text')
    await two.end()
    const owner = await db.query<{o: string}>(`SELECT tableowner AS o FROM pg_tables WHERE tablename = 'orders'`)
    expect(owner.rows[0]!.o).toBe(ownerRole)
  })

  it('a grant PostgreSQL refuses is a 500 naming it, and leaves no user behind', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'bella\\_broken\\_%'`)
    const res = await generate({role: 'broken', ttlSeconds: 60})
    expect(res.status).toBe(500)
    expect(JSON.parse(res.text).detail).toContain('GRANT SELECT ON no_such_table failed: relation "no_such_table" does not exist')
    const after = await db.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'bella\\_broken\\_%'`)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
  })

  it('the request log holds no user names, passwords or URLs', async () => {
    emulator.clearRequests()
    const c = (await generate({role: null, ttlSeconds: 30})).json()
    const log = JSON.stringify(emulator.requests())
    expect(log).toContain('/credentials/generate')
    for (const secret of [c.username, c.password, encodeURIComponent(c.password)]) expect(log).not.toContain(secret)
  })

  it('revoke() drops the user at once; a new emulator sweeps expired users a killed one left', async () => {
    const c = (await generate({role: null, ttlSeconds: 60})).json()
    expect(await emulator.dynamicCredentials.revoke(c.leaseId)).toBe(true)
    expect((await tryLogin(c.connectionUrl)).ok).toBe(false)

    // A leftover: a role with the lease marker whose VALID UNTIL has passed, as a killed emulator leaves it.
    const leftover = `bella_readonly_leftover${process.pid}`
    await db.query(`CREATE ROLE ${leftover} LOGIN VALID UNTIL '2000-01-01T00:00:00Z'`)
    await db.query(`COMMENT ON ROLE ${leftover} IS '${LEASE_COMMENT_PREFIX}old'`)
    const next = await startEmulator({port: 0, seed: seed(ownerRole), postgres: {adminUrl: db.adminUrl}})
    try {
      const res = await send({url: next.url, apiKey: KEYS.shopDev}, {method: 'POST', path: `${BASE}/generate`, body: '{"role":null,"ttlSeconds":30}'})
      expect(res.status).toBe(200)
      for (let i = 0; i < 50; i++) {
        if ((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [leftover])).rowCount === 0) break
        await sleep(100)
      }
      expect((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [leftover])).rowCount).toBe(0)
    } finally {
      await next.close()
    }
  })

  it('parallel requests all succeed, and close() drops every one of their users', async () => {
    const other = await startEmulator({port: 0, seed: seed(ownerRole), postgres: {adminUrl: db.adminUrl}})
    const answers = await Promise.all(
      Array.from({length: 8}, () =>
        send({url: other.url, apiKey: KEYS.shopDev}, {method: 'POST', path: `${BASE}/generate`, body: '{"role":null,"ttlSeconds":600}'}),
      ),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200))
    const users = answers.map((a) => a.json<Generated>().username)
    expect(new Set(users).size).toBe(8)
    await other.close()
    const left = await db.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [users])
    expect(left.rows).toEqual([])
  })

  it('close() drops every outstanding user', async () => {
    const other = await startEmulator({port: 0, seed: seed(ownerRole), postgres: {adminUrl: db.adminUrl}})
    const res = await send({url: other.url, apiKey: KEYS.shopDev}, {method: 'POST', path: `${BASE}/generate`, body: '{"role":null,"ttlSeconds":600}'})
    const c = res.json<Generated>()
    expect((await tryLogin(c.connectionUrl)).ok).toBe(true)
    await other.close()
    expect((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [c.username])).rowCount).toBe(0)
    expect(other.dynamicCredentials.list()).toEqual([])
  })
})
