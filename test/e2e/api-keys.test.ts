import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome, type CliResult} from '../helpers/cli.js'

const CONSUMER_KEY = `bax-${'c0'.repeat(16)}-${'11'.repeat(32)}`
const ADMIN_KEY = `bax-${'a0'.repeat(16)}-${'22'.repeat(32)}`

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [
        {key: ADMIN_KEY, name: 'admin', project: 'shop', environment: 'dev', role: 'ADMIN'},
        {key: CONSUMER_KEY, name: 'consumer', project: 'shop', environment: 'dev'},
      ],
      projects: [
        {slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: {DATABASE_URL: 'postgres://dev'}}]}, {slug: 'prod'}]},
      ],
    },
  })
})
afterAll(() => emulator.close())
beforeEach(() => {
  emulator.clearFaults()
  emulator.clearRequests()
})

const env = (apiKey = ADMIN_KEY) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: apiKey})
const secretOf = (key: string) => key.split('-')[2]!
const KEY_LINE = /^bax-[0-9a-f]{32}-[0-9a-f]{64}\n$/

/** The secret part appears exactly once in everything printed: on the stdout line. */
function expectShownOnce(r: CliResult, key: string): void {
  expect(r.stdout.split(secretOf(key)).length - 1).toBe(1)
  expect(r.stderr).not.toContain(secretOf(key))
}

async function create(name: string, extra: string[] = []): Promise<{key: string; id: string}> {
  const r = await bella(['api-keys', 'create', '--name', name, '--json', ...extra], {env: env()})
  expect(r.code).toBe(0)
  const created = JSON.parse(r.stdout)
  return {key: created.apiKey, id: created.id}
}

async function list(): Promise<any[]> {
  const r = await bella(['api-keys', 'list', '--json'], {env: env()})
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

const works = async (key: string) => (await bella(['whoami'], {env: env(key)})).code

describe('bella api-keys create', () => {
  it('--role must be CONSUMER, MANAGER, ADMIN or OWNER (any case): anything else is exit 2 with a did-you-mean, before any request', async () => {
    const before = (await list()).length
    const r = await bella(['api-keys', 'create', '--name', 'bad-role', '--role', 'MANAGR'], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--role MANAGR is not a role (did you mean "MANAGER"?)')
    expect((await list()).length).toBe(before)
    const made = await create('lower-role', ['--role', 'consumer'])
    expect((await list()).find((k) => k.id === made.id)).toMatchObject({role: 'CONSUMER'})
  })

  it('prints the new key alone on stdout, once, with a reminder on stderr; the key works at once', async () => {
    const r = await bella(['api-keys', 'create', '-p', 'shop', '-e', 'dev', '--name', 'checkout', '--description', 'the checkout service', '--expires-in-days', '30'], {
      env: env(),
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(KEY_LINE)
    const key = r.stdout.trim()
    expectShownOnce(r, key)
    expect(r.stderr).toContain('shown only this once')
    expect(r.stderr).toContain('shop/dev')
    expect(await works(key)).toBe(0)
    const listed = (await list()).find((k) => k.clientName === 'checkout')
    expect(listed).toMatchObject({description: 'the checkout service', role: 'CONSUMER', isActive: true})
    expect(Date.parse(listed.expiresAt) - Date.parse(listed.createdAt)).toBe(30 * 86_400_000)
  })

  it('--json prints the whole CreatedApiKeyResponse; the environment id comes from keys/me', async () => {
    const r = await bella(['api-keys', 'create', '--name', 'json-key', '--json'], {env: env()})
    expect(r.code).toBe(0)
    const created = JSON.parse(r.stdout)
    expect(created).toMatchObject({success: true, apiKey: expect.stringMatching(/^bax-/), keyPrefix: expect.any(String), id: expect.any(String), expiresAt: expect.any(String)})
    expectShownOnce(r, created.apiKey)
    const paths = emulator.requests().map((q) => `${q.method} ${q.path}`)
    expect(paths).toContain('GET /api/v1/keys/me')
    expect(paths.some((p) => /^POST \/api\/v1\/environments\/[0-9a-f-]{36}\/api-keys$/.test(p))).toBe(true)
  })

  it.each([
    [['--name', '']],
    [['--name', '   ']],
    [['--name', 'x', '--expires-in-days', '0']],
    [['--name', 'x', '--expires-in-days', 'soon']],
    [['--name', 'x', '--role', '']],
    [[]],
  ])('bad input %j exits 2 before any request', async (args) => {
    const r = await bella(['api-keys', 'create', ...args], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/name|expires-in-days|role/i)
    expect(emulator.requests()).toHaveLength(0)
  })

  it('a key that may not manage the environment exits 3', async () => {
    const r = await bella(['api-keys', 'create', '--name', 'x'], {env: env(CONSUMER_KEY)})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('403')
    expect(r.stderr).toContain('MANAGER, ADMIN or OWNER')
  })
})

describe('bella api-keys list', () => {
  it('a table with id, name, prefix, created, last used, expiry, status that fits 80 columns', async () => {
    const long = await create('a-service-with-a-really-remarkably-long-name-for-a-key')
    const r = await bella(['api-keys', 'list', '-p', 'shop', '-e', 'dev'], {env: env()})
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+EXPIRES\s+STATUS$/)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    const row = lines.find((l) => l.startsWith(long.id.slice(0, 8)))!
    expect(row).toMatch(/a-service-wi.*…/)
    expect(row).toMatch(/bax-[0-9a-f]{8}\s+\d{4}-\d{2}-\d{2}\s+never\s+\d{4}-\d{2}-\d{2}\s+active$/)
    expect(lines.find((l) => l.includes('admin'))).toMatch(/just now/)
    expect(r.stdout + r.stderr).not.toContain(secretOf(long.key))
    expect(r.stdout + r.stderr).not.toContain(secretOf(ADMIN_KEY))
  })

  it('--json lists every field with full ids, never a secret', async () => {
    const made = await create('listed')
    const r = await bella(['api-keys', 'list', '--json'], {env: env()})
    const keys = JSON.parse(r.stdout)
    expect(keys.find((k: any) => k.id === made.id)).toMatchObject({clientName: 'listed', keyPrefix: `bax-${made.key.slice(4, 12)}`, lastUsedAt: null})
    expect(r.stdout).not.toContain(secretOf(made.key))
  })
})

describe('bella api-keys revoke', () => {
  it('revokes at once, by full or short id: the next request with the key is refused (exit 3)', async () => {
    for (const form of ['full', 'short'] as const) {
      const made = await create(`revoke-${form}`)
      expect(await works(made.key)).toBe(0)
      const r = await bella(['api-keys', 'revoke', form === 'full' ? made.id : made.id.slice(0, 8)], {env: env()})
      expect(r.code).toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain('Revoked API key')
      const after = await bella(['whoami'], {env: env(made.key)})
      expect(after.code).toBe(3)
      expect(after.stderr).toContain('revoked')
      expect((await list()).find((k) => k.id === made.id)).toMatchObject({isActive: false, revokedAt: expect.any(String)})
    }
  })

  it('revoking a revoked key says it already was: exit 0, no "✓ Revoked"', async () => {
    const made = await create('revoke-twice')
    expect((await bella(['api-keys', 'revoke', made.id], {env: env()})).code).toBe(0)
    const again = await bella(['api-keys', 'revoke', made.id], {env: env()})
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('was already revoked; nothing to do')
    expect(again.stderr).not.toContain('✓ Revoked')
    const json = await bella(['api-keys', 'revoke', made.id, '--json'], {env: env()})
    expect(JSON.parse(json.stdout)).toMatchObject({id: made.id, revoked: true, alreadyRevoked: true})
  })

  it('--json reports what was revoked', async () => {
    const made = await create('revoke-json')
    const r = await bella(['api-keys', 'revoke', made.id, '--json'], {env: env()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({id: made.id, name: 'revoke-json', keyPrefix: `bax-${made.key.slice(4, 12)}`, revoked: true, alreadyRevoked: false})
  })

  it('an unknown id is a clear error (exit 1), by full or short id', async () => {
    const full = await bella(['api-keys', 'revoke', '00000000-0000-4000-8000-000000000000'], {env: env()})
    expect(full.code).toBe(1)
    expect(full.stderr).toContain('No API key with id 00000000-0000-4000-8000-000000000000')
    const short = await bella(['api-keys', 'revoke', 'ffff0000'], {env: env()})
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('No API key in shop/dev has an id starting with "ffff0000"')
    const json = await bella(['api-keys', 'revoke', 'ffff0000', '--json'], {env: env()})
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'api_key_not_found', exitCode: 1})
  })

  it('a malformed id, or a whole key pasted by mistake, exits 2 without echoing it', async () => {
    const made = await create('pasted')
    for (const ref of ['ab', made.key, 'a/b']) {
      const r = await bella(['api-keys', 'revoke', ref], {env: env()})
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr).not.toContain(secretOf(made.key))
    }
    expect(await works(made.key)).toBe(0)
  })

  it('a key that may not manage the environment exits 3', async () => {
    const made = await create('protected')
    const r = await bella(['api-keys', 'revoke', made.id], {env: env(CONSUMER_KEY)})
    expect(r.code).toBe(3)
    expect(await works(made.key)).toBe(0)
  })
})

describe('bella api-keys rotate', () => {
  it('creates the replacement (same name, description, role, lifetime), prints it, then revokes the old key', async () => {
    const old = await create('rotating', ['--description', 'billing worker', '--expires-in-days', '45'])
    const r = await bella(['api-keys', 'rotate', old.id.slice(0, 8)], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(KEY_LINE)
    const fresh = r.stdout.trim()
    expectShownOnce(r, fresh)
    expect(r.stderr).toContain('Revoked the old key')
    expect(await works(old.key)).toBe(3)
    expect(await works(fresh)).toBe(0)
    const keys = await list()
    const replacement = keys.find((k) => k.keyPrefix === `bax-${fresh.slice(4, 12)}`)
    expect(replacement).toMatchObject({clientName: 'rotating', description: 'billing worker', role: 'CONSUMER', isActive: true})
    expect(Date.parse(replacement.expiresAt) - Date.parse(replacement.createdAt)).toBe(45 * 86_400_000)
    expect(keys.find((k) => k.id === old.id)).toMatchObject({isActive: false})
    // Create happened before revoke.
    const order = emulator.requests().map((q) => q.method).filter((m) => m === 'POST' || m === 'DELETE')
    expect(order).toEqual(['POST', 'POST', 'DELETE'])
  })

  it('if revoking fails, says so and exits non-zero, with the new key already printed', async () => {
    const old = await create('rotate-fails')
    emulator.injectFault({type: 'status', status: 403, method: 'DELETE', pathPrefix: '/api/v1/api-keys/'})
    const r = await bella(['api-keys', 'rotate', old.id], {env: env()})
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(KEY_LINE)
    const fresh = r.stdout.trim()
    expectShownOnce(r, fresh)
    expect(r.stderr).toContain(`The new key was created and printed above, but revoking the old key ${old.id} failed`)
    expect(r.stderr).toContain(`bella api-keys revoke ${old.id}`)
    // Neither key is lost: both still work until the old one is revoked by hand.
    expect(await works(fresh)).toBe(0)
    expect(await works(old.key)).toBe(0)
  })

  it('--json: one document with the new key, and the revoke error when there is one', async () => {
    const old = await create('rotate-json')
    const ok = await bella(['api-keys', 'rotate', old.id, '--json'], {env: env()})
    expect(ok.code).toBe(0)
    const done = JSON.parse(ok.stdout)
    expect(done).toMatchObject({revoked: true, old: {id: old.id}, created: {apiKey: expect.stringMatching(/^bax-/)}})
    expectShownOnce(ok, done.created.apiKey)

    emulator.injectFault({type: 'status', status: 403, method: 'DELETE'})
    const failed = await bella(['api-keys', 'rotate', done.created.id, '--json'], {env: env()})
    expect(failed.code).toBe(3)
    const partial = JSON.parse(failed.stdout)
    expect(partial).toMatchObject({revoked: false, created: {apiKey: expect.stringMatching(/^bax-/)}, error: {exitCode: 3}})
    expect(partial.error.message).toContain('revoking the old key')
  })

  it('refuses an unknown or already revoked key before creating anything', async () => {
    expect((await bella(['api-keys', 'rotate', '00000000-0000-4000-8000-000000000000'], {env: env()})).code).toBe(1)
    const old = await create('gone')
    await bella(['api-keys', 'revoke', old.id], {env: env()})
    emulator.clearRequests()
    const r = await bella(['api-keys', 'rotate', old.id], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('already revoked')
    expect(emulator.requests().filter((q) => q.method === 'POST')).toHaveLength(0)
  })
})
