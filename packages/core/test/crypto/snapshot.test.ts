import {describe, expect, it} from '@jest/globals'
import {randomBytes} from 'node:crypto'
import {formatAge, openSnapshot, parseMaxStale, sealSnapshot, snapshotKey, SnapshotRefused} from '@bella/core'

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
