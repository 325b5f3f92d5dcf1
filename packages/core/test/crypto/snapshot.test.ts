import {afterEach, describe, expect, it} from '@jest/globals'
import {randomBytes} from 'node:crypto'
import {existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {formatAge, freshSnapshot, openSnapshot, parseMaxStale, sealSnapshot, snapshotKey, SnapshotRefused, SnapshotVault} from '@bella/core'
import {tempDirs} from '../config/temp-dir.js'

const header = {server: 'https://api.example.test', keyId: 'k1', project: 'shop', environment: 'prod'}
const fetched = {
  // A secret named __proto__ is an ordinary entry, both ways.
  secrets: Object.fromEntries([
    ['__proto__', 'proto-value'],
    ['DB', 'postgres://u:p@h/db'],
  ]),
  sealed: ['OLD'],
  version: 7,
  lastModified: '2026-01-01T00:00:00Z',
  environmentSlug: 'prod',
  environmentName: 'Production',
}
const key = snapshotKey(randomBytes(32))

describe('snapshot format', () => {
  it('round-trips names, values, sealed names, version and the fetched-at time; never in the clear', () => {
    const file = sealSnapshot(key, header, fetched, 1234)
    expect(file.includes('postgres://')).toBe(false)
    expect(file.includes('proto-value')).toBe(false)
    const snap = openSnapshot(key, header, file)
    expect(snap.fetchedAt).toBe(1234)
    expect(Object.getPrototypeOf(snap.fetched.secrets)).toBe(Object.prototype)
    expect(Object.entries(snap.fetched.secrets)).toEqual(Object.entries(fetched.secrets))
    expect(snap.fetched).toMatchObject({sealed: ['OLD'], version: 7, environmentName: 'Production'})
  })

  it('a fresh nonce each write: the same secrets never give the same bytes', () => {
    expect(sealSnapshot(key, header, fetched, 1).equals(sealSnapshot(key, header, fetched, 1))).toBe(false)
  })

  it('refuses another key, another expected header, a flipped byte, a truncation', () => {
    const file = sealSnapshot(key, header, fetched, 1)
    expect(() => openSnapshot(snapshotKey(randomBytes(32)), header, file)).toThrow(SnapshotRefused)
    expect(() => openSnapshot(key, {...header, environment: 'dev'}, file)).toThrow(/another server, key or environment/)
    for (let i = file.indexOf(0x0a) + 1; i < file.length - 1; i += 7) {
      const changed = Buffer.from(file)
      changed[i] = changed[i] === 0x41 ? 0x42 : 0x41
      expect(() => openSnapshot(key, header, changed)).toThrow(SnapshotRefused)
    }
    expect(() => openSnapshot(key, header, file.subarray(0, file.length - 10))).toThrow(SnapshotRefused)
    expect(() => openSnapshot(key, header, Buffer.alloc(0))).toThrow(SnapshotRefused)
  })
})

describe('--max-stale', () => {
  it('takes s, m, h, d and plain seconds; 0 is off', () => {
    expect(parseMaxStale('0')).toBe(0)
    expect(parseMaxStale('90')).toBe(90_000)
    expect(parseMaxStale('90s')).toBe(90_000)
    expect(parseMaxStale('30m')).toBe(1_800_000)
    expect(parseMaxStale('24h')).toBe(86_400_000)
    expect(parseMaxStale('7d')).toBe(604_800_000)
  })

  it('anything else is a usage error naming the flag', () => {
    for (const bad of ['', '-1', '1.5h', '5x', '1y', '400d', 'h', '9'.repeat(30)]) {
      expect(() => parseMaxStale(bad)).toThrow(expect.objectContaining({kind: 'usage', message: expect.stringContaining('--max-stale')}))
    }
  })

  it('ages read as people say them', () => {
    expect(formatAge(5_000)).toBe('5 s')
    expect(formatAge(125 * 60_000)).toBe('2 h 5 min')
    expect(formatAge(25 * 3_600_000)).toBe('1 d 1 h')
  })
})

describe('a snapshot fetched "in the future" (a clock set back since it was written)', () => {
  const dirs = tempDirs()
  afterEach(() => dirs.cleanup())

  it('is not used and is deleted: its age is unknown, so --max-stale cannot vouch for it', async () => {
    const messages: string[] = []
    const vault = new SnapshotVault(join(dirs.make(), 'snapshots'), header.server, header.keyId, randomBytes(32), (m) => messages.push(m))
    const target = {project: 'shop', environment: 'prod'}
    const now = Date.UTC(2026, 0, 10)
    // Written while the clock said a year later; read after it was set right.
    await vault.save(target, fetched, now + 365 * 86_400_000)
    const fallback = {maxStaleMs: 3_600_000, only: false, cacheDir: '', now: () => now}
    expect(freshSnapshot(vault, target, fallback, (m) => messages.push(m))).toBeUndefined()
    expect(messages.join('\n')).toMatch(/shop\/prod.*in the future/)
    expect(existsSync(vault.pathFor(target))).toBe(false)
  })

  it('a few minutes ahead (clocks of two machines sharing a cache) is still used, as age 0', async () => {
    const vault = new SnapshotVault(join(dirs.make(), 'snapshots'), header.server, header.keyId, randomBytes(32), () => {})
    const target = {project: 'shop', environment: 'prod'}
    const now = Date.UTC(2026, 0, 10)
    await vault.save(target, fetched, now + 60_000)
    const used = freshSnapshot(vault, target, {maxStaleMs: 3_600_000, only: false, cacheDir: '', now: () => now}, () => {})
    expect(used?.ageMs).toBe(0)
    expect(used?.fetched.version).toBe(7)
  })
})

describe('a symbolic link planted where a snapshot goes', () => {
  const dirs = tempDirs()
  afterEach(() => dirs.cleanup())

  it('is replaced by the snapshot; the file it points to is left alone', async () => {
    const dir = join(dirs.make(), 'snapshots')
    const vault = new SnapshotVault(dir, header.server, header.keyId, randomBytes(32), () => {})
    const target = {project: 'shop', environment: 'prod'}
    mkdirSync(dir, {mode: 0o700})
    const victim = join(dirs.make(), 'precious.txt')
    writeFileSync(victim, 'precious\n')
    symlinkSync(victim, vault.pathFor(target))
    await vault.save(target, fetched, Date.now())
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(lstatSync(vault.pathFor(target)).isFile()).toBe(true)
    expect(vault.load(target)?.fetched.version).toBe(7)
  })
})
