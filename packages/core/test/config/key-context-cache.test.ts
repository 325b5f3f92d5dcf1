import {afterEach, describe, expect, it} from '@jest/globals'
import {existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {KeyContext} from '../../src/api/types.js'
import {cacheDirFrom, KEY_CONTEXT_TTL_MS, keyContextCache, keyContextCacheFile} from '../../src/config/index.js'
import {tempDirs} from './temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const URL = 'http://127.0.0.1:5522'
const KEY_ID = '0123456789abcdef0123456789abcdef'
const CONTEXT: KeyContext = {
  keyId: KEY_ID,
  role: 'CONSUMER',
  tenantId: null,
  tenantSlug: null,
  tenantName: null,
  projectId: 'p-1',
  projectSlug: 'shop',
  projectName: 'Shop',
  environmentId: 'e-1',
  environmentSlug: 'dev',
  environmentName: 'Development',
}

function setUp(start = 1_000_000_000_000) {
  let now = start
  const dir = join(dirs.make('bella-kc-'), 'bella')
  const cache = keyContextCache(dir, URL, KEY_ID, () => now)
  return {dir, cache, advance: (ms: number) => (now += ms)}
}

describe('cacheDirFrom', () => {
  it('is $XDG_CACHE_HOME/bella when absolute, else ~/.cache/bella', () => {
    expect(cacheDirFrom({XDG_CACHE_HOME: '/x/cache'}, '/home/u')).toBe('/x/cache/bella')
    expect(cacheDirFrom({XDG_CACHE_HOME: 'relative'}, '/home/u')).toBe('/home/u/.cache/bella')
    expect(cacheDirFrom({}, '/home/u')).toBe('/home/u/.cache/bella')
  })
})

describe('keyContextCache', () => {
  it('gives back what it saved, until the hour is up', () => {
    const t = setUp()
    expect(t.cache.write(CONTEXT)).toBe(true)
    expect(t.cache.read()?.context).toEqual(CONTEXT)
    t.advance(KEY_CONTEXT_TTL_MS)
    expect(t.cache.read()?.context).toEqual(CONTEXT)
    t.advance(1)
    expect(t.cache.read()).toBeUndefined()
  })

  it('keeps only the fields bella uses, and one file per URL and key id', () => {
    const t = setUp()
    t.cache.write({...CONTEXT, projectSlug: '', extra: 'not kept'} as KeyContext)
    const saved = JSON.parse(readFileSync(t.cache.file, 'utf8'))
    expect(saved.context).toEqual({...CONTEXT, projectSlug: null})
    expect(keyContextCacheFile(t.dir, URL, KEY_ID)).toBe(t.cache.file)
    expect(keyContextCacheFile(t.dir, 'http://127.0.0.1:5523', KEY_ID)).not.toBe(t.cache.file)
    expect(keyContextCacheFile(t.dir, URL, 'f'.repeat(32))).not.toBe(t.cache.file)
    expect(statSync(t.cache.file).mode & 0o777).toBe(0o600)
    expect(statSync(t.dir).mode & 0o777).toBe(0o700)
  })

  it('an entry for another URL is not used (and not deleted: it is not malformed)', () => {
    const t = setUp()
    t.cache.write(CONTEXT)
    const other = JSON.parse(readFileSync(t.cache.file, 'utf8'))
    writeFileSync(t.cache.file, JSON.stringify({...other, apiUrl: 'http://elsewhere.example'}))
    expect(t.cache.read()).toBeUndefined()
    expect(existsSync(t.cache.file)).toBe(true)
  })

  it('a file too large to be an entry, or a folder in its place, is not used; the large file is deleted', () => {
    const t = setUp()
    t.cache.write(CONTEXT)
    writeFileSync(t.cache.file, ' '.repeat(20_000))
    expect(t.cache.read()).toBeUndefined()
    expect(existsSync(t.cache.file)).toBe(false)
    mkdirSync(t.cache.file)
    expect(t.cache.read()).toBeUndefined()
    // …and a write that cannot replace it fails quietly.
    expect(t.cache.write(CONTEXT)).toBe(false)
  })

  it('a cache folder that cannot be created: writes fail quietly, reads find nothing', () => {
    const base = dirs.make('bella-kc-')
    writeFileSync(join(base, 'file'), '')
    const cache = keyContextCache(join(base, 'file', 'bella'), URL, KEY_ID)
    expect(cache.write(CONTEXT)).toBe(false)
    expect(cache.read()).toBeUndefined()
    expect(() => cache.remove()).not.toThrow()
  })
})

describe('old entries', () => {
  it('are deleted when another is written: a day without a rewrite (a rotated or keyless key) and the file goes', () => {
    const dir = join(dirs.make('bella-kc-'), 'bella')
    const realNow = Date.now()
    const fresh = keyContextCache(dir, URL, KEY_ID)
    expect(fresh.write(CONTEXT)).toBe(true)
    const gone = keyContextCacheFile(dir, URL, 'f'.repeat(32))
    const recent = keyContextCacheFile(dir, URL, 'e'.repeat(32))
    for (const file of [gone, recent]) writeFileSync(file, '{}')
    const twoDaysAgo = (realNow - 2 * 24 * KEY_CONTEXT_TTL_MS) / 1000
    utimesSync(gone, twoDaysAgo, twoDaysAgo)
    const unrelated = join(dir, 'key-context-notours.json')
    writeFileSync(unrelated, '{}')
    utimesSync(unrelated, twoDaysAgo, twoDaysAgo)

    expect(fresh.write(CONTEXT)).toBe(true)
    expect(existsSync(gone)).toBe(false)
    expect(existsSync(recent)).toBe(true)
    expect(existsSync(fresh.file)).toBe(true)
    expect(existsSync(unrelated)).toBe(true)
  })
})

describe('a symbolic link planted where the entry goes', () => {
  it('is replaced by the entry; the file it points to is left alone', () => {
    const t = setUp()
    mkdirSync(t.dir, {recursive: true, mode: 0o700})
    const victim = join(dirs.make('bella-kc-victim-'), 'precious.txt')
    writeFileSync(victim, 'precious\n')
    symlinkSync(victim, t.cache.file)
    expect(t.cache.write(CONTEXT)).toBe(true)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(lstatSync(t.cache.file).isFile()).toBe(true)
    expect(t.cache.read()?.context).toEqual(CONTEXT)
  })
})
