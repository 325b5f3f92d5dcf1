/**
 * The encrypted offline fallback end to end (issue 14 part 1): the real bin/run.js against the
 * in-process emulator over loopback, with real snapshot files in a private HOME. The API goes away
 * by closing the emulator or by a 503 fault; a snapshot is aged by writing one with an older
 * fetched-at time through core's own vault (the time inside the authenticated payload is what
 * counts, not the file's mtime), with the real API key.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {parseApiKey} from '../../packages/core/src/crypto/api-key.js'
import {keyContextCacheFile} from '../../packages/core/src/config/key-context-cache.js'
import {SnapshotVault} from '../../packages/core/src/snapshot/vault.js'
import {bella, bellaBin, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'
import {alive, until} from '../helpers/watch-harness.js'

const demo = {project: 'demo', environment: 'dev'}
const SEEDED = 'offline-plaintext-7f3a9c51'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  emulator.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

type Home = ReturnType<typeof isolatedHome>
const envFor = (home: Home, api: Emulator = emulator, key = api.apiKey) => ({...home, BELLA_BAXTER_URL: api.url, BELLA_BAXTER_API_KEY: key})
const printToken = ['node', '-e', 'process.stdout.write(String(process.env.OFFLINE_TOKEN))']
const snapshotDir = (home: Home) => join(home.HOME, '.cache', 'bella', 'snapshots')
const snapshots = (home: Home) => (existsSync(snapshotDir(home)) ? readdirSync(snapshotDir(home)).filter((n) => n.endsWith('.snapshot')) : [])
const vaultOf = (home: Home, api: Emulator = emulator) => {
  const {keyId, secret} = parseApiKey(api.apiKey)
  return new SnapshotVault(snapshotDir(home), api.url, keyId, secret, () => {})
}
const failApi = () => emulator.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/'})

/** Where bella keeps the API key's cached scope in `home` (the live runs write it). */
const keyContextFileOf = (home: Home, api: Emulator = emulator) => keyContextCacheFile(join(home.HOME, '.cache', 'bella'), api.url, parseApiKey(api.apiKey).keyId)

/** A home with a snapshot written by a live `bella run`. */
async function homeWithSnapshot(api: Emulator = emulator): Promise<Home> {
  const home = isolatedHome()
  const live = await bella(['run', '--', ...printToken], {env: envFor(home, api)})
  expect(live).toMatchObject({code: 0, stdout: SEEDED})
  expect(snapshots(home)).toHaveLength(1)
  return home
}

/** An emulator of its own and a home with its snapshot; then the value changes and the API fails (503). */
async function outageAfterSnapshot(): Promise<{own: Emulator; home: Home}> {
  const own = await startEmulator({port: 0})
  try {
    own.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
    const home = await homeWithSnapshot(own)
    own.setSecrets(demo, {set: {OFFLINE_TOKEN: 'live-after-outage'}})
    own.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/'})
    return {own, home}
  } catch (error) {
    await own.close()
    throw error
  }
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
}

describe('offline snapshots', () => {
  it('a stopped API: the command starts from the snapshot, with a warning naming its age and the server', async () => {
    const own = await startEmulator({port: 0})
    own.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
    const home = await homeWithSnapshot(own)
    const url = own.url
    await own.close()

    const r = await bella(['run', '--', ...printToken], {env: envFor(home, own)})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(SEEDED)
    expect(r.stderr).toMatch(
      new RegExp(`Warning: could not reach the Bella API at ${url.replace(/[.]/g, '\\.')} \\(api_unreachable\\); using the offline snapshot of demo/dev from \\d+ s ago \\(version \\d+, fetched \\d{4}-`),
    )
    expect(r.stderr).not.toContain(SEEDED)
  })

  it('is 0600 in a 0700 folder, and no plaintext value or key secret is anywhere under HOME', async () => {
    const home = await homeWithSnapshot()
    expect(statSync(snapshotDir(home)).mode & 0o777).toBe(0o700)
    const [name] = snapshots(home)
    expect(statSync(join(snapshotDir(home), name!)).mode & 0o777).toBe(0o600)
    const secretHex = emulator.apiKey.split('-')[2]!
    const all = filesUnder(home.HOME)
    expect(all.length).toBeGreaterThan(0)
    for (const file of all) {
      const bytes = readFileSync(file)
      for (const needle of [SEEDED, secretHex, 'OFFLINE_TOKEN']) expect(bytes.includes(needle)).toBe(false)
      // Nor base64 of the value (an encoding is not encryption).
      expect(bytes.includes(Buffer.from(SEEDED).toString('base64').slice(0, 16))).toBe(false)
    }
  })

  it('a failing API (503 after the retries) falls back too; --max-stale 0 does not, and writes no snapshot', async () => {
    const home = await homeWithSnapshot()
    failApi()
    const r = await bella(['run', '--timeout', '10', '--', ...printToken], {env: envFor(home)})
    expect(r).toMatchObject({code: 0, stdout: SEEDED})
    expect(r.stderr).toMatch(/could not reach the Bella API at .* \(api_http_503\); using the offline snapshot/)

    const off = await bella(['run', '--max-stale', '0', '--', ...printToken], {env: envFor(home)})
    expect(off.code).toBe(4)
    expect(off.stdout).toBe('')
    expect(off.stderr).not.toContain('offline snapshot')

    emulator.clearFaults()
    const fresh = isolatedHome()
    const none = await bella(['run', '--max-stale', '0', '--', ...printToken], {env: envFor(fresh)})
    expect(none).toMatchObject({code: 0, stdout: SEEDED})
    expect(snapshots(fresh)).toHaveLength(0)
  })

  it('--fallback-only starts without a single request; with no snapshot it exits 4 and says how to get one', async () => {
    const home = await homeWithSnapshot()
    emulator.clearRequests()
    const r = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(r).toMatchObject({code: 0, stdout: SEEDED})
    expect(r.stderr).toMatch(/Warning: --fallback-only: the API was not asked; using the offline snapshot of demo\/dev/)
    expect(emulator.requests()).toHaveLength(0)

    const empty = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(isolatedHome())})
    expect(empty.code).toBe(4)
    expect(empty.stderr).toMatch(/Error: No usable offline snapshot/)
    expect(empty.stderr).toMatch(/Try: run once without --fallback-only/)
    expect(emulator.requests()).toHaveLength(0)
  })

  it('--max-stale: the fetched-at time inside the snapshot decides (not the mtime); an older one is named and not used', async () => {
    const home = isolatedHome()
    const vault = vaultOf(home)
    const fetched = {secrets: {OFFLINE_TOKEN: SEEDED}, sealed: [], version: 3, lastModified: '', environmentSlug: 'dev', environmentName: 'dev'}
    await vault.save(demo, fetched, Date.now() - 25 * 3_600_000)
    // A fresh mtime changes nothing.
    const file = vault.pathFor(demo)
    utimesSync(file, new Date(), new Date())
    failApi()

    const stale = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(stale.code).toBe(4)
    expect(stale.stderr).toMatch(/the offline snapshot of demo\/dev is 1 d 1 h old, older than --max-stale 1 d; not used/)
    expect(existsSync(file)).toBe(true)

    const longer = await bella(['run', '--max-stale', '2d', '--', ...printToken], {env: envFor(home)})
    expect(longer).toMatchObject({stderr: expect.stringContaining('offline snapshot'), code: 0, stdout: SEEDED})
    expect(longer.stderr).toMatch(/from 1 d 1 h ago \(version 3,/)

    const seconds = await bella(['run', '--max-stale', '93600', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(seconds).toMatchObject({code: 0, stdout: SEEDED})
  })

  it('bad --max-stale values exit 2 with the flag named, on the fast path and under --watch', async () => {
    for (const args of [
      ['run', '--max-stale', '5x', '--', 'true'],
      ['run', '--max-stale', '-1', '--', 'true'],
      ['run', '--watch', '--max-stale', '1y', '--', 'true'],
      ['run', '--max-stale', '0', '--fallback-only', '--', 'true'],
      ['agent', '--once', '--max-stale', 'soon'],
    ]) {
      const r = await bella(args, {env: envFor(isolatedHome())})
      expect({args, code: r.code}).toEqual({args, code: 2})
      expect(r.stderr).toMatch(/Error: .*--(max-stale|fallback-only)/)
    }
  })

  it('BELLA_MAX_STALE sets --max-stale where flags are awkward; the flag wins; a bad value names the variable', async () => {
    const home = await homeWithSnapshot()
    failApi()
    const off = await bella(['run', '--timeout', '10', '--', ...printToken], {env: {...envFor(home), BELLA_MAX_STALE: '0'}})
    expect(off.code).toBe(4)
    expect(off.stdout).toBe('')
    const flagWins = await bella(['run', '--timeout', '10', '--max-stale', '1h', '--', ...printToken], {env: {...envFor(home), BELLA_MAX_STALE: '0'}})
    expect(flagWins).toMatchObject({code: 0, stdout: SEEDED})
    const bad = await bella(['run', '--', 'true'], {env: {...envFor(isolatedHome()), BELLA_MAX_STALE: 'soon'}})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Error: BELLA_MAX_STALE must be a duration')
    expect(bad.stderr).toContain('Try: e.g. BELLA_MAX_STALE=24h')
  })

  it('a revoked key (401) deletes its snapshots at once; nothing to fall back on afterwards', async () => {
    const own = await startEmulator({port: 0})
    own.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
    try {
      const home = await homeWithSnapshot(own)
      own.revokeApiKey(own.apiKeys[0]!.id)
      const refused = await bella(['run', '--', ...printToken], {env: envFor(home, own)})
      expect(refused.code).toBe(3)
      expect(refused.stdout).toBe('')
      expect(refused.stderr).toMatch(/Warning: the API refused key bax-\w{8}…, so its offline snapshot was deleted/)
      expect(snapshots(home)).toHaveLength(0)

      own.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/'})
      const after = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home, own)})
      expect(after.code).toBe(4)
      expect(after.stdout).toBe('')
    } finally {
      await own.close()
    }
  })

  it('a 403 deletes them too, even with --max-stale 0', async () => {
    const home = await homeWithSnapshot()
    emulator.injectFault({type: 'status', status: 403, count: 'always', pathPrefix: '/api/v1/'})
    const r = await bella(['run', '--max-stale', '0', '--', ...printToken], {env: envFor(home)})
    expect(r.code).toBe(3)
    expect(snapshots(home)).toHaveLength(0)
  })

  it('a 401 that is this machine\'s clock (not the key) keeps the snapshots: the key was not refused', async () => {
    let skewMs = 0
    const own = await startEmulator({port: 0, now: () => new Date(Date.now() + skewMs)})
    try {
      own.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
      const home = await homeWithSnapshot(own)
      skewMs = 60 * 60_000
      const r = await bella(['run', '--', ...printToken], {env: envFor(home, own)})
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/this machine's clock is/)
      expect(r.stderr).not.toMatch(/snapshot was deleted/)
      expect(snapshots(home)).toHaveLength(1)
    } finally {
      await own.close()
    }
  })

  it('one changed byte: refused and deleted with a warning, then bella goes on as if there were none', async () => {
    const home = await homeWithSnapshot()
    const file = join(snapshotDir(home), snapshots(home)[0]!)
    const bytes = readFileSync(file)
    // A byte inside the ciphertext (line 2), swapped for another base64 character.
    const at = bytes.indexOf(0x0a) + 30
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41
    writeFileSync(file, bytes)

    const r = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/Warning: the offline snapshot of demo\/dev was refused and deleted: it does not authenticate with this API key/)
    expect(r.stderr).toMatch(/Error: No usable offline snapshot/)
    expect(existsSync(file)).toBe(false)

    // The live path is unaffected and writes a good one again.
    const live = await bella(['run', '--', ...printToken], {env: envFor(home)})
    expect(live).toMatchObject({code: 0, stdout: SEEDED})
    expect(snapshots(home)).toHaveLength(1)
  })

  it('a changed header (another environment claimed) or a truncated file is refused and deleted', async () => {
    for (const damage of [
      (b: Buffer) => Buffer.from(b.toString('utf8').replace('"project":"demo"', '"project":"dema"')),
      (b: Buffer) => b.subarray(0, b.length - 20),
      () => Buffer.from('not a snapshot\n'),
    ]) {
      const home = await homeWithSnapshot()
      const file = join(snapshotDir(home), snapshots(home)[0]!)
      writeFileSync(file, damage(readFileSync(file)))
      const r = await bella(['run', '--fallback-only', '-p', 'demo', '-e', 'dev', '--', ...printToken], {env: envFor(home)})
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/offline snapshot of demo\/dev was refused and deleted/)
      expect(existsSync(file)).toBe(false)
    }
  })

  it('keys/me unreachable and a header edited to claim another environment: refused and deleted, not used', async () => {
    const home = await homeWithSnapshot()
    const file = join(snapshotDir(home), snapshots(home)[0]!)
    writeFileSync(file, readFileSync(file, 'utf8').replace('"environment":"dev"', '"environment":"prod"'))
    // Without a cached key context, the snapshots' own headers are all that can name the target.
    rmSync(keyContextFileOf(home), {force: true})
    const r = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/Warning: the offline snapshot \w+-\w+\.snapshot was refused and deleted: its header does not match its name/)
    expect(existsSync(file)).toBe(false)
  })

  it('with the key context cached, --fallback-only opens the named snapshot, and an edited header is refused there too', async () => {
    const home = await homeWithSnapshot()
    const file = join(snapshotDir(home), snapshots(home)[0]!)
    writeFileSync(file, readFileSync(file, 'utf8').replace('"environment":"dev"', '"environment":"prod"'))
    const r = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/Warning: the offline snapshot of demo\/dev was refused and deleted: it was written for another server, key or environment/)
    expect(r.stderr).not.toContain(SEEDED)
    expect(existsSync(file)).toBe(false)
  })

  it('a different key cannot read it: the same key id with another secret is refused (and the file deleted)', async () => {
    const home = await homeWithSnapshot()
    const {keyId} = parseApiKey(emulator.apiKey)
    const forged = `bax-${keyId}-${'ab'.repeat(32)}`
    const r = await bella(['run', '--fallback-only', '-p', 'demo', '-e', 'dev', '--', ...printToken], {env: envFor(home, emulator, forged)})
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/refused and deleted: it does not authenticate with this API key/)
    expect(r.stderr).not.toContain(SEEDED)
    expect(snapshots(home)).toHaveLength(0)
  })

  it('keys/me unreachable: the key\'s one snapshot names the target; with two, -p/-e are needed', async () => {
    const home = await homeWithSnapshot()
    // Without the key context the live run cached, only the snapshots can name the target.
    const forgetKeyContext = () => rmSync(keyContextFileOf(home), {force: true})
    forgetKeyContext()
    failApi()
    const one = await bella(['run', '--timeout', '10', '--', ...printToken], {env: envFor(home)})
    expect(one).toMatchObject({code: 0, stdout: SEEDED})

    const fetched = {secrets: {OFFLINE_TOKEN: 'other-env'}, sealed: [], version: 1, lastModified: '', environmentSlug: 'prod', environmentName: 'prod'}
    await vaultOf(home).save({project: 'demo', environment: 'prod'}, fetched)
    const two = await bella(['run', '--timeout', '10', '--', ...printToken], {env: envFor(home)})
    expect(two.code).toBe(4)
    const named = await bella(['run', '--timeout', '10', '-p', 'demo', '-e', 'prod', '--', ...printToken], {env: envFor(home)})
    expect(named).toMatchObject({code: 0, stdout: 'other-env'})
  })

  it('a cached key context names the target when the API fails, even with several snapshots of the key', async () => {
    const home = await homeWithSnapshot()
    const fetched = {secrets: {OFFLINE_TOKEN: 'other-env'}, sealed: [], version: 1, lastModified: '', environmentSlug: 'prod', environmentName: 'prod'}
    await vaultOf(home).save({project: 'demo', environment: 'prod'}, fetched)
    failApi()
    const r = await bella(['run', '--timeout', '10', '--', ...printToken], {env: envFor(home)})
    expect(r).toMatchObject({code: 0, stdout: SEEDED})
    expect(r.stderr).toContain('using the offline snapshot of demo/dev')
    // --fallback-only asks nothing, keys/me included: the cached scope names the snapshot too.
    emulator.clearRequests()
    const only = await bella(['run', '--fallback-only', '--', ...printToken], {env: envFor(home)})
    expect(only).toMatchObject({code: 0, stdout: SEEDED})
    expect(emulator.requests()).toEqual([])
  })

  it('a 403 on the cached target, then keys/me unreachable: the refused environment\'s snapshot is deleted, not used', async () => {
    const home = await homeWithSnapshot()
    // The key was re-scoped: its cached environment is now forbidden; then the API goes away.
    emulator.injectFault({type: 'status', status: 403, count: 1, pathPrefix: '/api/v1/projects/'})
    emulator.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/keys/me'})
    const r = await bella(['run', '--timeout', '10', '--', ...printToken], {env: envFor(home)})
    expect(r.stdout).toBe('')
    expect(r.code).not.toBe(0)
    expect(r.stderr).not.toContain('using the offline snapshot')
    expect(r.stderr).toMatch(/Warning: the API refused key bax-\w{8}…, so its offline snapshot was deleted/)
    expect(snapshots(home)).toHaveLength(0)
  })

  it('access tokens get no snapshot, and --fallback-only with one is a usage error', async () => {
    const home = isolatedHome()
    emulator.addToken({token: 'bt-offline-test-token', project: 'demo', environment: 'dev'})
    const env = {...home, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_ACCESS_TOKEN: 'bt-offline-test-token'}
    const live = await bella(['run', '-p', 'demo', '-e', 'dev', '--', ...printToken], {env})
    expect(live).toMatchObject({code: 0, stdout: SEEDED})
    expect(snapshots(home)).toHaveLength(0)
    const only = await bella(['run', '--fallback-only', '-p', 'demo', '-e', 'dev', '--', ...printToken], {env})
    expect(only.code).toBe(2)
    expect(only.stderr).toMatch(/--fallback-only needs an API key/)
  })
})

describe('bella run --watch from a snapshot', () => {
  it('starts from the snapshot while the API fails, then restarts with the live secrets once it answers', async () => {
    const {own, home} = await outageAfterSnapshot()

    const log = join(testTempDir('bella-offline-watch-'), 'events.jsonl')
    const child = `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({pid: process.pid, v: process.env.OFFLINE_TOKEN}) + '\\n'); setInterval(() => {}, 1000)`
    const proc = spawn(process.execPath, [bellaBin, 'run', '--watch', '--poll-interval', '5', '--timeout', '5', '--', process.execPath, '-e', child], {
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...envFor(home, own)},
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    })
    let stderr = ''
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    const starts = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as {pid: number; v: string})
        : []
    try {
      // Each wait also covers bella's words: its stderr pipe may be read after the child's file write.
      const first = await until(`the first start (stderr: ${stderr})`, () => /using the offline snapshot of demo\/dev/.test(stderr) && starts()[0])
      expect(first.v).toBe(SEEDED)

      own.clearFaults()
      const second = await until(`the live restart (stderr: ${stderr})`, () => /restarted the command/.test(stderr) && starts()[1], 30_000)
      expect(second.v).toBe('live-after-outage')
      expect(stderr).toMatch(/switching from the offline snapshot to live secrets/)
      expect(stderr).toMatch(/restarting the command/)
      expect(stderr).not.toContain(SEEDED)
      expect(stderr).not.toContain('live-after-outage')
      // The snapshot now holds the live set.
      const snap = vaultOf(home, own).load(demo)
      expect(snap?.fetched.secrets.OFFLINE_TOKEN).toBe('live-after-outage')

      // The key is revoked while bella watches: the next poll's 401 deletes the snapshot at once.
      own.revokeApiKey(own.apiKeys[0]!.id)
      // bella deletes the file, then says so: wait for its words too, not just the file's absence.
      const refusal = /the API refused key bax-\w{8}…, so its offline snapshot was deleted/
      await until(`the snapshot deleted after a 401 (stderr: ${stderr})`, () => (snapshots(home).length === 0 && refusal.test(stderr)) || undefined, 20_000)
      expect(snapshots(home)).toEqual([])

      proc.kill('SIGTERM')
      expect(await exited).toBe(143)
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      for (const s of starts()) if (alive(s.pid)) process.kill(s.pid, 'SIGKILL')
      await own.close()
    }
  }, 60_000)
})

describe('bella agent from a snapshot', () => {
  it('a long-running agent starts its files from the snapshot while the API fails, and rewrites them once it answers', async () => {
    const {own, home} = await outageAfterSnapshot()
    const dir = testTempDir('bella-offline-agent-')
    const sink = join(dir, '.env')
    const config = join(dir, 'bella-agent.yaml')
    writeFileSync(config, `watches:\n  - project: demo\n    environment: dev\n    poll-interval: 5\nsinks:\n  - type: dotenv\n    path: ${JSON.stringify(sink)}\n`)
    const proc = spawn(process.execPath, [bellaBin, 'agent', '--timeout', '5', '-c', config], {
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...envFor(home, own)},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    const sinkHas = (value: string) => (existsSync(sink) && readFileSync(sink, 'utf8').includes(`OFFLINE_TOKEN=${value}`)) || undefined
    try {
      await until(`the sink from the snapshot (stderr: ${stderr})`, () => (sinkHas(SEEDED) && /using the offline snapshot/.test(stderr)) || undefined)
      own.clearFaults()
      await until(`the sink from the live API (stderr: ${stderr})`, () => sinkHas('live-after-outage'), 30_000)
      expect(stderr).not.toContain(SEEDED)
      proc.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      await own.close()
    }
  }, 60_000)

  it('--fallback-only starts a long-running agent from the snapshot; its polls then ask the API, as under run --watch', async () => {
    const own = await startEmulator({port: 0})
    const dir = testTempDir('bella-offline-agent-')
    const sink = join(dir, '.env')
    const config = join(dir, 'bella-agent.yaml')
    writeFileSync(config, `watches:\n  - project: demo\n    environment: dev\n    poll-interval: 5\nsinks:\n  - type: dotenv\n    path: ${JSON.stringify(sink)}\n`)
    let proc: ReturnType<typeof spawn> | undefined
    try {
      own.setSecrets(demo, {set: {OFFLINE_TOKEN: SEEDED}})
      const home = await homeWithSnapshot(own)
      own.setSecrets(demo, {set: {OFFLINE_TOKEN: 'live-after-start'}})
      const agent = spawn(process.execPath, [bellaBin, 'agent', '--fallback-only', '--timeout', '5', '-c', config], {
        env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...envFor(home, own)},
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      proc = agent
      let stderr = ''
      agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
      const exited = new Promise<number | null>((resolve) => agent.on('exit', (code) => resolve(code)))
      const sinkHas = (value: string) => (existsSync(sink) && readFileSync(sink, 'utf8').includes(`OFFLINE_TOKEN=${value}`)) || undefined
      await until(`the sink from the snapshot (stderr: ${stderr})`, () => (sinkHas(SEEDED) && /--fallback-only: the API was not asked/.test(stderr)) || undefined)
      await until(`the sink from the live API (stderr: ${stderr})`, () => sinkHas('live-after-start'), 30_000)
      agent.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      await own.close()
    }
  }, 60_000)

  it('--once writes the sink from the snapshot when the API fails, with a fallback warning; live again afterwards', async () => {
    const home = isolatedHome()
    const dir = testTempDir('bella-offline-agent-')
    const sink = join(dir, '.env')
    const config = join(dir, 'bella-agent.yaml')
    writeFileSync(config, `watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: dotenv\n    path: ${JSON.stringify(sink)}\n`)
    const live = await bella(['agent', '--once', '-c', config], {env: envFor(home)})
    expect(live.code).toBe(0)
    expect(readFileSync(sink, 'utf8')).toContain(SEEDED)
    expect(snapshots(home)).toHaveLength(1)

    writeFileSync(sink, '')
    failApi()
    const r = await bella(['agent', '--once', '--timeout', '10', '-c', config], {env: envFor(home)})
    expect(r.code).toBe(0)
    expect(readFileSync(sink, 'utf8')).toContain(`OFFLINE_TOKEN=${SEEDED}`)
    expect(r.stderr).toMatch(/Warning: demo\/dev: could not reach the Bella API at .* \(api_http_503\); using the offline snapshot from \d+ s ago/)
    expect(r.stderr).not.toContain(SEEDED)

    const off = await bella(['agent', '--once', '--max-stale', '0', '-c', config], {env: envFor(home)})
    expect(off.code).toBe(4)

    emulator.clearFaults()
    emulator.clearRequests()
    writeFileSync(sink, '')
    const only = await bella(['agent', '--once', '--fallback-only', '--log-format', 'json', '-c', config], {env: envFor(home)})
    expect(only.code).toBe(0)
    expect(readFileSync(sink, 'utf8')).toContain(SEEDED)
    expect(only.stderr).toMatch(/"event":"fallback"/)
    expect(emulator.requests()).toHaveLength(0)
  })
})
