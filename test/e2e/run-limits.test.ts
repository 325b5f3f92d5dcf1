/**
 * `bella run` against answers it must not wait for or hold: a body far over the 64 MiB cap and a
 * server that drips a byte a second (never idle, so the socket timeout never fires). Both end with
 * exit 4 and a message saying which limit, before the command is started. The real bin/run.js
 * against the emulator's `huge` and `drip` faults, with the client's default limits.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella} from '../helpers/cli.js'

let emulator: Emulator
let dir: string
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  dir = mkdtempSync(join(tmpdir(), 'bella-run-limits-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})
beforeEach(() => emulator.clearFaults())

// HOME inside the test's own folder, removed with it.
const env = () => ({HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})
const secretsPath = '/api/v1/projects/demo/environments/dev/secrets'
/** The command leaves this file behind if it ever runs. */
const touch = (name: string) => ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, name))}, '')`]

describe('bella run response limits', () => {
  it('refuses an answer over 64 MiB without holding it: exit 4 naming the URL and the limit, command not started', async () => {
    emulator.injectFault({type: 'huge', bytes: 80 * 1024 * 1024, declareLength: false, pathPrefix: secretsPath})
    const r = await bella(['run', '-p', 'demo', '-e', 'dev', '--', ...touch('huge-ran')], {env: env(), timeoutMs: 60_000})
    expect(r.code).toBe(4)
    expect(r.stderr).toContain(`${emulator.url}${secretsPath}`)
    expect(r.stderr).toContain('64 MiB limit')
    expect(existsSync(join(dir, 'huge-ran'))).toBe(false)
    expect(emulator.requests().filter((q) => q.path === secretsPath)).toHaveLength(1) // not retried
  }, 90_000)

  it('gives up on a server that drips one byte a second once the 30 s deadline is exceeded, naming the host', async () => {
    emulator.injectFault({type: 'drip', intervalMs: 1000, count: 'always', pathPrefix: secretsPath})
    const r = await bella(['run', '-p', 'demo', '-e', 'dev', '--', ...touch('drip-ran')], {env: env(), timeoutMs: 60_000})
    expect(r.signal).toBeNull() // ended by itself, not by the helper's kill
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/deadline .*exceeded/)
    expect(r.stderr).toContain(`127.0.0.1:${emulator.port}`)
    expect(existsSync(join(dir, 'drip-ran'))).toBe(false)
  }, 90_000)
})
