/**
 * The test run's PostgreSQL bookkeeping (jest globalSetup / globalTeardown). Tests that need a
 * server get one through test/helpers/postgres.ts, which runs scripts/postgres.sh: that reuses a
 * server already running, or starts one. A start is written to the mark file named here, and
 * teardown stops that server (scripts/postgres.sh --stop), so `npm test` leaves no server behind;
 * one that was running before the tests (CI's, a developer's) stays. Plain JS: jest loads it as is.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const MARK_VAR = 'BELLA_TEST_POSTGRES_STARTED_MARK'
const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'postgres.sh')

export function setup() {
  // Inherited by the test workers (and read in band): where a started server is recorded.
  process.env[MARK_VAR] ??= join(tmpdir(), `bella-test-postgres-started-${process.pid}-${Date.now()}`)
}

/** Stops the server if the tests started it; `env` as the tests saw it (port and folder variables). */
export function teardown(env = process.env) {
  const mark = env[MARK_VAR]
  if (!mark || !existsSync(mark)) return
  const run = spawnSync('bash', [script, '--stop', '--no-install'], {encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'ignore', 'pipe'], env})
  if (run.status !== 0) process.stderr.write(`could not stop the PostgreSQL server the tests started: ${(run.stderr ?? '').trim()}\n`)
  rmSync(mark, {force: true})
}
