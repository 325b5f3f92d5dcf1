import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

const env = () => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})
const printEnv = (names: string[]) => ['node', '-e', `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map(n => [n, process.env[n] ?? null]))))`]

describe('bella run (first version)', () => {
  it('starts the command with the secrets, fetched over signed, encrypted HTTP', async () => {
    emulator.clearRequests()
    const r = await bella(['run', '--', ...printEnv(['DATABASE_URL', 'LOG_LEVEL', 'BELLA_BAXTER_API_KEY'])], {env: env()})
    expect(r.code).toBe(0)
    const seen = JSON.parse(r.stdout)
    expect(seen.DATABASE_URL).toMatch(/^postgres:\/\//)
    expect(seen.LOG_LEVEL).not.toBeNull()
    // bella's own key is not handed to the child
    expect(seen.BELLA_BAXTER_API_KEY).toBeNull()
    const secretsCall = emulator.requests().find((q) => q.path.endsWith('/secrets'))
    expect(secretsCall).toBeDefined()
  })

  it('picks up a change made while the emulator runs', async () => {
    emulator.setSecrets({project: 'demo', environment: 'dev'}, {set: {ADDED_LATER: 'x y z'}})
    const r = await bella(['run', '--', ...printEnv(['ADDED_LATER'])], {env: env()})
    expect(JSON.parse(r.stdout)).toEqual({ADDED_LATER: 'x y z'})
  })

  it("passes the command's exit status through", async () => {
    const r = await bella(['run', '--', 'node', '-e', 'process.exit(42)'], {env: env()})
    expect(r.code).toBe(42)
  })

  it('exits 127 for a command that does not exist, before calling the API', async () => {
    emulator.clearRequests()
    const r = await bella(['run', '--', 'no-such-command-bella'], {env: env()})
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('no-such-command-bella')
    expect(emulator.requests()).toHaveLength(0)
  })

  it('a wrong key exits 3 and never starts the command', async () => {
    const marker = join(testTempDir('bella-marker-'), 'started')
    const wrong = `bax-${'f'.repeat(32)}-${'ab'.repeat(32)}`
    const r = await bella(['run', '--', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {
      env: {...env(), BELLA_BAXTER_API_KEY: wrong},
    })
    expect(r.code).toBe(3)
    expect(existsSync(marker)).toBe(false)
  })

  it('refuses a plaintext answer to an encrypted read (fail closed), exit 1', async () => {
    emulator.injectFault({type: 'e2ee', mode: 'plaintext', count: 'always'})
    const r = await bella(['run', '--', ...printEnv(['DATABASE_URL'])], {env: env()})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('e2ee-plaintext-response')
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toMatch(/postgres:\/\//)
  })

  it('retries a failing API and succeeds', async () => {
    emulator.injectFault({type: 'status', status: 503, count: 2, pathPrefix: '/api/v1/projects'})
    const r = await bella(['run', '--', ...printEnv(['LOG_LEVEL'])], {env: env()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).LOG_LEVEL).not.toBeNull()
  })

  it('an unreachable API exits 4 naming the URL', async () => {
    const r = await bella(['run', '--', 'true'], {env: {...env(), BELLA_BAXTER_URL: 'http://127.0.0.1:1'}})
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('http://127.0.0.1:1')
  })

  it('needs a command', async () => {
    const r = await bella(['run'], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('needs a command')
  })
})

describe('bella emulator set', () => {
  it('changes a secret in the running emulator and a later run sees it', async () => {
    const set = await bella(['emulator', 'set', 'FROM_CLI=a=b c', '--unset', 'ADDED_LATER'], {env: env()})
    expect(set.code).toBe(0)
    expect(set.stderr).toMatch(/demo\/dev is now at version \d+/)
    const r = await bella(['run', '--', ...printEnv(['FROM_CLI', 'ADDED_LATER'])], {env: env()})
    expect(JSON.parse(r.stdout)).toEqual({FROM_CLI: 'a=b c', ADDED_LATER: null})
  })

  it('rejects a word that is not KEY=VALUE (exit 2)', async () => {
    const r = await bella(['emulator', 'set', 'NOVALUE'], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('is not a KEY=VALUE assignment')
  })
})

describe('bella run argument handling', () => {
  it('runs the command exactly as typed after -- even when it reuses bella flag names (fast path)', async () => {
    const r = await bella(['run', '-e', 'dev', '--', 'node', '-e', 'process.stdout.write(process.argv.slice(1).join("|"))', 'a', '-p'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('a|-p')
  })

  it('does the same through oclif (--watch), whose argv order is not trusted', async () => {
    const r = await bella(['run', '--watch', '-e', 'dev', '--', 'node', '-e', 'process.exit(4)'], {env: env()})
    expect(r.stderr).not.toContain('Command not found')
    expect(r.code).toBe(4)
  })

  it('an unknown flag still gets oclif\'s usage error (exit 2)', async () => {
    const r = await bella(['run', '--bogus', '--', 'true'], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--bogus')
  })
})
