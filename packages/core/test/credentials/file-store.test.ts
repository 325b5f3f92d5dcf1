import {afterEach, describe, expect, it} from '@jest/globals'
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {openFileStore} from '../../src/credentials/file-store.js'
import {writePrivateFileAtomic} from '../../src/config/private-files.js'
import {isBellaError} from '../../src/errors.js'
import {tempDirs} from '../config/temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const SECRET = 'bax-0123abcd-' + 'ab'.repeat(32)
const posixOnly = process.platform === 'win32' ? it.skip : it
const mode = (path: string) => statSync(path).mode & 0o777

function open(configDir: string) {
  const notices: string[] = []
  const path = join(configDir, 'credentials.json')
  const store = openFileStore({path, shownPath: '~/.config/bella/credentials.json', notice: (m) => notices.push(m)})
  return {store, path, notices}
}

describe('file credential store', () => {
  it('round-trips set, get and delete; delete is false when absent', async () => {
    const configDir = join(dirs.make(), 'bella')
    const {store, path} = open(configDir)
    expect(store.backend).toBe('file')
    expect(store.location).toBe(path)
    expect(await store.get('api-key')).toBeUndefined()
    expect(await store.delete('api-key')).toBe(false)

    await store.set('api-key', SECRET)
    await store.set('other', 'x')
    expect(await store.get('api-key')).toBe(SECRET)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({'api-key': SECRET, other: 'x'})

    expect(await store.delete('api-key')).toBe(true)
    expect(await store.get('api-key')).toBeUndefined()
    expect(await store.delete('api-key')).toBe(false)
    expect(await store.get('other')).toBe('x')
  })

  it('removes the file when its last entry is deleted', async () => {
    const configDir = join(dirs.make(), 'bella')
    const {store} = open(configDir)
    await store.set('api-key', SECRET)
    await store.delete('api-key')
    expect(readdirSync(configDir)).toEqual([])
  })

  posixOnly('creates the folder 0700 and the file 0600, and leaves no temp files', async () => {
    const configDir = join(dirs.make(), 'nested', 'bella')
    const {store, path} = open(configDir)
    await store.set('api-key', SECRET)
    await store.set('api-key', SECRET + '00')
    expect(mode(configDir)).toBe(0o700)
    expect(mode(path)).toBe(0o600)
    expect(readdirSync(configDir)).toEqual(['credentials.json'])
  })

  posixOnly('tightens a loose existing folder and file, warning once about the file without the secret', async () => {
    const configDir = join(dirs.make(), 'bella')
    mkdirSync(configDir, {mode: 0o755})
    chmodSync(configDir, 0o755)
    const path = join(configDir, 'credentials.json')
    writeFileSync(path, JSON.stringify({'api-key': SECRET}), {mode: 0o644})
    chmodSync(path, 0o644)

    const {store, notices} = open(configDir)
    expect(mode(configDir)).toBe(0o700)
    expect(mode(path)).toBe(0o600)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('~/.config/bella/credentials.json')
    expect(notices[0]).toContain('0644')
    expect(notices[0]).not.toContain(SECRET)
    expect(await store.get('api-key')).toBe(SECRET)

    expect(open(configDir).notices).toEqual([])
  })

  posixOnly('tightens a loose folder silently when the file is already private', () => {
    const configDir = join(dirs.make(), 'bella')
    mkdirSync(configDir)
    chmodSync(configDir, 0o775)
    writeFileSync(join(configDir, 'credentials.json'), '{}', {mode: 0o600})
    const {notices} = open(configDir)
    expect(mode(configDir)).toBe(0o700)
    expect(notices).toEqual([])
  })

  it('reports a damaged file without quoting its contents', async () => {
    const configDir = join(dirs.make(), 'bella')
    mkdirSync(configDir)
    writeFileSync(join(configDir, 'credentials.json'), SECRET, {mode: 0o600})
    const {store} = open(configDir)
    const error = await store.get('api-key').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isBellaError(error)).toBe(true)
    if (!isBellaError(error)) return
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain('~/.config/bella/credentials.json')
    expect(JSON.stringify({m: error.message, s: error.suggestions})).not.toContain('0123abcd')
  })

  it('calls onCreate once, only for the write that created the file', async () => {
    const configDir = join(dirs.make(), 'bella')
    let created = 0
    const store = openFileStore({
      path: join(configDir, 'credentials.json'),
      shownPath: 'x',
      notice: () => {},
      onCreate: () => created++,
    })
    await store.set('a', '1')
    await store.set('b', '2')
    expect(created).toBe(1)
  })
})

describe('writePrivateFileAtomic', () => {
  it('replaces the file whole and leaves no temp file behind', () => {
    const dir = dirs.make()
    const path = join(dir, 'f.json')
    writePrivateFileAtomic(path, 'one')
    writePrivateFileAtomic(path, 'two')
    expect(readFileSync(path, 'utf8')).toBe('two')
    expect(readdirSync(dir)).toEqual(['f.json'])
  })

  it('removes its temp file when the rename fails', () => {
    const dir = dirs.make()
    const target = join(dir, 'occupied')
    mkdirSync(join(target, 'child'), {recursive: true})
    expect(() => writePrivateFileAtomic(target, 'x')).toThrow()
    expect(readdirSync(dir)).toEqual(['occupied'])
  })
})
