/**
 * `npm test` leaves no PostgreSQL server behind that it started itself, and keeps one that was
 * already running (test/setup/postgres-global.js, test/helpers/postgres.ts). Checked with a
 * throwaway cluster of scripts/postgres.sh on a port and in a folder of this test's own; skipped
 * where no PostgreSQL server binaries are installed.
 */
import {afterAll, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {locateTestServer, POSTGRES_STARTED_MARK, POSTGRES_URL_VAR, tryLogin} from '../helpers/postgres.js'
import {repoRoot} from '../helpers/cli.js'
// @ts-expect-error plain JS setup module, loaded by jest as is
import {setup, teardown} from '../setup/postgres-global.js'

const installed = spawnSync('bash', ['-c', 'command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl'], {stdio: 'ignore'}).status === 0
const itWithPostgres = installed ? it : it.skip
// 0755: the server runs as `postgres` when the tests run as root, and must reach its folder.
const dir = mkdtempSync(join(tmpdir(), 'bella-pg-cleanup-'))
spawnSync('chmod', ['755', dir])
let env: NodeJS.ProcessEnv = {}

afterAll(() => {
  // Whatever happened: no server of this test keeps running.
  if (env.BELLA_TEST_POSTGRES_DIR) spawnSync('bash', [join(repoRoot, 'scripts', 'postgres.sh'), '--stop', '--no-install'], {env, stdio: 'ignore'})
  rmSync(dir, {recursive: true, force: true})
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })

itWithPostgres(
  'a server the tests started is stopped at the end; one that was already running stays',
  async () => {
    const port = await freePort()
    env = {...process.env, BELLA_TEST_POSTGRES_PORT: String(port), BELLA_TEST_POSTGRES_DIR: join(dir, 'pg'), [POSTGRES_STARTED_MARK]: undefined}
    delete env[POSTGRES_URL_VAR]
    // The run's global setup names the mark file; the server is found (here: started) by a test.
    const saved = process.env[POSTGRES_STARTED_MARK]
    delete process.env[POSTGRES_STARTED_MARK]
    setup()
    env[POSTGRES_STARTED_MARK] = process.env[POSTGRES_STARTED_MARK]
    if (saved === undefined) delete process.env[POSTGRES_STARTED_MARK]
    else process.env[POSTGRES_STARTED_MARK] = saved

    const first = locateTestServer(env)
    expect(first.reason).toBeUndefined()
    expect(first.started).toBe(true)
    expect(existsSync(env[POSTGRES_STARTED_MARK]!)).toBe(true)
    // A second test file finds it running: nothing more is recorded as started by it.
    expect(locateTestServer(env).started).toBe(false)
    expect(await tryLogin(first.url!)).toMatchObject({ok: true})

    teardown(env)
    expect(existsSync(env[POSTGRES_STARTED_MARK]!)).toBe(false)
    expect(await tryLogin(first.url!)).toMatchObject({ok: false})

    // Already running before the tests (started here by hand): the run records nothing and stops nothing.
    const before = spawnSync('bash', [join(repoRoot, 'scripts', 'postgres.sh'), '--no-install'], {env, encoding: 'utf8'})
    expect(before.status).toBe(0)
    expect(locateTestServer(env).started).toBe(false)
    teardown(env)
    expect(await tryLogin(first.url!)).toMatchObject({ok: true})
  },
  240_000,
)
