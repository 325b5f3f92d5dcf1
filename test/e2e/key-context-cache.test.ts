/**
 * The API key's context (keys/me) kept for an hour in the user cache folder, so a command with
 * -p/-e left open makes one request instead of two; against the emulator over loopback.
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

const SHOP_SEED = {
  projects: [
    {
      slug: 'shop',
      environments: [
        {slug: 'dev', providers: [{slug: 'vault-dev', secrets: {WHERE: 'dev', DB_PASSWORD: 'dev-value-7c1e55'}}]},
        {slug: 'staging', providers: [{slug: 'vault-staging', secrets: {WHERE: 'staging', DB_PASSWORD: 'staging-value-94ab02'}}]},
      ],
    },
  ],
  keys: [{name: 'shop dev', project: 'shop', environment: 'dev'}],
}

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** A fresh emulator (a random key each time), a private HOME and a known cache folder. */
async function setUp() {
  emulator = await startEmulator({port: 0, seed: SHOP_SEED})
  const cacheHome = testTempDir('bella-cache-')
  const env = {...isolatedHome(), XDG_CACHE_HOME: cacheHome, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}
  const cacheDir = join(cacheHome, 'bella')
  const entries = () => {
    try {
      return readdirSync(cacheDir).filter((name) => name.startsWith('key-context-'))
    } catch {
      return []
    }
  }
  const entryPath = () => {
    const [only, ...more] = entries()
    expect(more).toEqual([])
    expect(only).toBeDefined()
    return join(cacheDir, only!)
  }
  const keysMeCalls = () => emulator!.requests().filter((q) => q.path === '/api/v1/keys/me').length
  return {emulator, env, cacheDir, entries, entryPath, keysMeCalls}
}

const printWhere = ['run', '--verbose', '--', 'node', '-e', 'process.stdout.write(process.env.WHERE ?? "none")']

describe('the key context cache', () => {
  it('is written by the first command and used by the next ones: no second keys/me', async () => {
    const t = await setUp()
    const first = await bella(printWhere, {env: t.env})
    expect(first.code).toBe(0)
    expect(first.stdout).toBe('dev')
    expect(first.stderr).not.toContain('key context from the cache')
    expect(t.keysMeCalls()).toBe(1)

    const second = await bella(printWhere, {env: t.env})
    expect(second.code).toBe(0)
    expect(second.stdout).toBe('dev')
    expect(second.stderr).toMatch(/debug: key context from the cache \(saved 0 min ago, .*key-context-.*\.json\): shop\/dev, no GET \/api\/v1\/keys\/me/)
    // Other commands that resolve the target use it too, and without --verbose nothing is said.
    const listed = await bella(['secrets', 'list'], {env: t.env})
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain('DB_PASSWORD')
    expect(listed.stderr).not.toContain('cache')
    expect(t.keysMeCalls()).toBe(1)
  })

  it('holds no secret (key, key secret, values), is 0600 in a 0700 folder, and its name is a hash', async () => {
    const t = await setUp()
    expect((await bella(printWhere, {env: t.env})).code).toBe(0)
    const file = t.entryPath()
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(t.cacheDir).mode & 0o777).toBe(0o700)
    const text = readFileSync(file, 'utf8')
    const [, keyId, secretHex] = t.emulator.apiKey.split('-') as [string, string, string]
    expect(file).not.toContain(keyId)
    expect(text).not.toContain(secretHex)
    expect(text).not.toContain(t.emulator.apiKey)
    expect(text).not.toContain('dev-value-7c1e55')
    expect(text).not.toContain('staging-value-94ab02')
    const entry = JSON.parse(text)
    expect(entry).toMatchObject({format: 1, apiUrl: t.emulator.url, keyId, context: {projectSlug: 'shop', environmentSlug: 'dev'}})
  })

  it('an expired entry (over an hour old) is not used: keys/me is asked and the entry renewed', async () => {
    const t = await setUp()
    expect((await bella(printWhere, {env: t.env})).code).toBe(0)
    const file = t.entryPath()
    const entry = JSON.parse(readFileSync(file, 'utf8'))
    entry.savedAt = Date.now() - 61 * 60 * 1000
    writeFileSync(file, JSON.stringify(entry))
    const r = await bella(printWhere, {env: t.env})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('dev')
    expect(r.stderr).not.toContain('key context from the cache')
    expect(t.keysMeCalls()).toBe(2)
    expect(JSON.parse(readFileSync(file, 'utf8')).savedAt).toBeGreaterThan(entry.savedAt)
  })

  it.each([
    ['not JSON', () => '{"format": 1, "apiUrl": '],
    ['a JSON array', () => '[]'],
    ['an unknown field', (e: Record<string, unknown>) => JSON.stringify({...e, extra: true})],
    ['a field of the wrong type', (e: Record<string, unknown>) => JSON.stringify({...e, context: {...(e['context'] as object), projectSlug: 42}})],
    ['a savedAt in the future', (e: Record<string, unknown>) => JSON.stringify({...e, savedAt: Date.now() + 24 * 3600 * 1000})],
    ['another key id', (e: Record<string, unknown>) => JSON.stringify({...e, keyId: 'f'.repeat(32)})],
  ])('an entry with %s is ignored, never an error, and replaced', async (_what, damage) => {
    const t = await setUp()
    expect((await bella(printWhere, {env: t.env})).code).toBe(0)
    const file = t.entryPath()
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    // A wrong target in it too: if it were used, the command would see staging.
    const context = good['context'] as Record<string, unknown>
    const misleading = {...good, context: {...context, environmentSlug: 'staging'}}
    writeFileSync(file, damage(misleading))
    const r = await bella(printWhere, {env: t.env})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('dev')
    expect(r.stderr).not.toMatch(/Warning|Error|key context from the cache/)
    expect(t.keysMeCalls()).toBe(2)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({format: 1, keyId: good['keyId'], context: {environmentSlug: 'dev'}})
  })

  it.each([
    {
      change: 'the key re-scoped to another environment (the cached target is 403)',
      refused: 'forbidden',
      apply: (e: Emulator) => (e.state.apiKeys[0]!.environmentId = e.state.projects[0]!.environments[1]!.id),
      now: {where: 'staging', slug: 'staging'},
    },
    {
      change: 'the cached environment gone (renamed, so the cached target is 404)',
      refused: 'not found',
      apply: (e: Emulator) => (e.state.projects[0]!.environments[0]!.slug = 'development'),
      now: {where: 'dev', slug: 'development'},
    },
  ])('$change: keys/me is asked again and the command succeeds', async ({refused, apply, now}) => {
    const t = await setUp()
    expect((await bella(printWhere, {env: t.env})).code).toBe(0)
    apply(t.emulator)
    const r = await bella(printWhere, {env: t.env})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(now.where)
    expect(r.stderr).toContain(`the API refused the cached target (${refused})`)
    expect(t.keysMeCalls()).toBe(2)
    expect(JSON.parse(readFileSync(t.entryPath(), 'utf8')).context.environmentSlug).toBe(now.slug)
  })

  it('a 401 deletes the entry (and fails as without a cache)', async () => {
    const t = await setUp()
    expect((await bella(printWhere, {env: t.env})).code).toBe(0)
    t.entryPath()
    t.emulator.revokeApiKey(t.emulator.apiKeys[0]!.id)
    const r = await bella(printWhere, {env: t.env})
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(t.entries()).toEqual([])
  })

  it('bella logout deletes the entry of the key it forgets, and its offline snapshots', async () => {
    const t = await setUp()
    const env = {...t.env, BELLA_BAXTER_API_KEY: undefined}
    const snapshots = () => {
      try {
        return readdirSync(join(t.cacheDir, 'snapshots'))
      } catch {
        return []
      }
    }
    expect((await bella(['login', '--api-key', t.emulator.apiKey], {env})).code).toBe(0)
    expect((await bella(printWhere, {env})).code).toBe(0)
    t.entryPath()
    expect(snapshots()).toHaveLength(1)
    const logout = await bella(['logout'], {env})
    expect(logout.code).toBe(0)
    expect(logout.stderr).toContain('Removed the stored API key')
    expect(logout.stderr).toContain('Deleted 1 offline snapshot of its secrets.')
    expect(t.entries()).toEqual([])
    expect(snapshots()).toEqual([])
  })
})

describe('a FIFO planted where the entry goes', () => {
  it('is not opened for reading (that waits for a writer forever): the command asks keys/me and runs', async () => {
    const t = await setUp()
    const first = await bella(printWhere, {env: t.env})
    expect(first.code).toBe(0)
    const path = t.entryPath()
    rmSync(path)
    expect(spawnSync('mkfifo', [path]).status).toBe(0)
    const r = await bella(printWhere, {env: t.env, timeoutMs: 15_000})
    expect(r).toMatchObject({code: 0, stdout: 'dev'})
    expect(t.keysMeCalls()).toBe(2)
  })
})
