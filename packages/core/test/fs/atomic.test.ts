import {afterEach, describe, expect, it} from '@jest/globals'
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, lstatSync, writeFileSync, utimesSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic, writeFileAtomicSync, type WriteFileAtomicOptions, type WriteFileAtomicResult} from '../../src/fs/index.js'
import {tempDirs} from '../config/temp-dir.js'

type Write = (path: string, data: string | Buffer, options?: WriteFileAtomicOptions) => Promise<WriteFileAtomicResult>

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const posixOnly = process.platform === 'win32' ? it.skip : it
const modeOf = (path: string) => statSync(path).mode & 0o777

/** Runs `fn` with the process umask set to `mask`, restoring it afterwards. */
async function withUmask<T>(mask: number, fn: () => Promise<T> | T): Promise<T> {
  const previous = process.umask(mask)
  try {
    return await fn()
  } finally {
    process.umask(previous)
  }
}

// An mtime far in the past, so that a rewrite within the same clock tick would still be noticed.
function backdate(path: string): void {
  utimesSync(path, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'))
}

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (...args: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...args)],
] as [string, Write][])('%s', (_name, write) => {
  it('creates the file with exactly the bytes given (strings as UTF-8) and mode 0600 by default', async () => {
    const dir = dirs.make()
    const path = join(dir, 'secrets.env')
    expect(await write(path, 'A=héllo 🚀\n')).toBe('written')
    expect(readFileSync(path)).toEqual(Buffer.from('A=héllo 🚀\n', 'utf8'))
    if (process.platform !== 'win32') expect(modeOf(path)).toBe(0o600)
    expect(await write(path, Buffer.from([0, 1, 2, 255]))).toBe('written')
    expect(readFileSync(path)).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(readdirSync(dir)).toEqual(['secrets.env'])
  })

  posixOnly('applies the requested mode exactly, whatever the umask (permissive or restrictive)', async () => {
    for (const umask of [0o000, 0o022, 0o077, 0o277]) {
      await withUmask(umask, async () => {
        for (const mode of [0o600, 0o640, 0o644, 0o400, 0o660]) {
          const dir = dirs.make()
          const path = join(dir, 'f')
          await write(path, 'new', {mode})
          expect([umask, mode, modeOf(path)]).toEqual([umask, mode, mode])
          // Replacing an existing file with another mode gives the new mode, not the old one.
          await write(path, 'newer', {mode: 0o600})
          expect([umask, mode, modeOf(path)]).toEqual([umask, mode, 0o600])
        }
      })
    }
  })

  posixOnly('creates missing parent folders 0700 whatever the umask, and leaves existing folders alone', async () => {
    for (const umask of [0o000, 0o077, 0o277]) {
      await withUmask(umask, async () => {
        const root = dirs.make()
        chmodSync(root, 0o755)
        const path = join(root, 'a', 'b', 'c', 'secrets.json')
        expect(await write(path, '{}\n')).toBe('written')
        for (const folder of ['a', 'a/b', 'a/b/c']) expect([umask, folder, modeOf(join(root, folder))]).toEqual([umask, folder, 0o700])
        expect(modeOf(root)).toBe(0o755)
        expect(modeOf(path)).toBe(0o600)
      })
    }
  })

  it('leaves identical content alone: no rename (same inode), no mtime change, no temp file', async () => {
    const dir = dirs.make()
    const path = join(dir, 'f')
    await write(path, 'same\n')
    backdate(path)
    const before = statSync(path)
    expect(await write(path, 'same\n')).toBe('unchanged')
    expect(await write(path, Buffer.from('same\n'))).toBe('unchanged')
    const after = statSync(path)
    expect(after.ino).toBe(before.ino)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(readdirSync(dir)).toEqual(['f'])
  })

  it('replaces changed content through a new file (new inode) and leaves no temp file', async () => {
    const dir = dirs.make()
    const path = join(dir, 'f')
    await write(path, 'one')
    const before = statSync(path)
    expect(await write(path, 'two')).toBe('written')
    expect(readFileSync(path, 'utf8')).toBe('two')
    expect(statSync(path).ino).not.toBe(before.ino)
    // Same length, different bytes: still compared byte by byte.
    expect(await write(path, 'twO')).toBe('written')
    expect(readFileSync(path, 'utf8')).toBe('twO')
    expect(readdirSync(dir)).toEqual(['f'])
  })

  it('always replaces the file when skipIfUnchanged is false', async () => {
    const dir = dirs.make()
    const path = join(dir, 'f')
    await write(path, 'same')
    const before = statSync(path)
    expect(await write(path, 'same', {skipIfUnchanged: false})).toBe('written')
    expect(statSync(path).ino).not.toBe(before.ino)
  })

  posixOnly('fixes only the mode of an identical file whose mode differs (content and mtime stay)', async () => {
    const dir = dirs.make()
    const path = join(dir, 'f')
    writeFileSync(path, 'same')
    chmodSync(path, 0o644)
    backdate(path)
    const before = statSync(path)
    expect(await write(path, 'same', {mode: 0o600})).toBe('unchanged')
    const after = statSync(path)
    expect(after.mode & 0o777).toBe(0o600)
    expect(after.ino).toBe(before.ino)
    expect(after.mtimeMs).toBe(before.mtimeMs)
  })

  posixOnly('writes through a symlink to a regular file: the link stays, the file it points to is replaced atomically', async () => {
    const dir = dirs.make()
    const real = join(dir, 'real')
    mkdirSync(real)
    const elsewhere = join(real, 'secrets.env')
    writeFileSync(elsewhere, 'old')
    const path = join(dir, 'link')
    symlinkSync(elsewhere, path)
    const before = statSync(elsewhere)
    expect(await write(path, 'new')).toBe('written')
    expect(lstatSync(path).isSymbolicLink()).toBe(true)
    expect(readFileSync(elsewhere, 'utf8')).toBe('new')
    // Replaced by rename (a new inode) in the link target's folder, with the requested mode.
    expect(statSync(elsewhere).ino).not.toBe(before.ino)
    expect(modeOf(elsewhere)).toBe(0o600)
    expect(readdirSync(real)).toEqual(['secrets.env'])
    expect(readdirSync(dir).sort()).toEqual(['link', 'real'])
    expect(await write(path, 'new')).toBe('unchanged')
  })

  it('fails on a folder in the way, keeping it and leaving no temp file', async () => {
    const dir = dirs.make()
    const target = join(dir, 'occupied')
    mkdirSync(join(target, 'child'), {recursive: true})
    await expect(write(target, 'x')).rejects.toThrow()
    expect(readdirSync(dir)).toEqual(['occupied'])
    expect(readdirSync(target)).toEqual(['child'])
  })

  posixOnly('fails in a folder it may not write to, keeping the old file', async () => {
    if (process.getuid?.() === 0) return // root ignores permission bits
    const dir = dirs.make()
    const path = join(dir, 'f')
    await write(path, 'old')
    chmodSync(dir, 0o500)
    try {
      await expect(write(path, 'new')).rejects.toMatchObject({code: 'EACCES'})
    } finally {
      chmodSync(dir, 0o700)
    }
    expect(readFileSync(path, 'utf8')).toBe('old')
    expect(readdirSync(dir)).toEqual(['f'])
  })

  it('refuses a mode outside 0–0o777', async () => {
    const path = join(dirs.make(), 'f')
    await expect(write(path, 'x', {mode: 0o4755})).rejects.toThrow(RangeError)
    await expect(write(path, 'x', {mode: 1.5})).rejects.toThrow(RangeError)
  })
})
