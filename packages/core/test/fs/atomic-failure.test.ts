/**
 * Failures in the middle of a write (disk full half-way, fsync error, close error): the old file
 * must stay exactly as it was and no temp file may remain. The file system calls are wrapped so
 * that a chosen step fails after really doing part of its work.
 */
import {afterEach, beforeEach, describe, expect, it, jest} from '@jest/globals'
import * as realFs from 'node:fs'
import * as realFsp from 'node:fs/promises'
import type {FileHandle} from 'node:fs/promises'
import type {WriteFileAtomicOptions, WriteFileAtomicResult} from '../../src/fs/atomic.js'
import {join} from 'node:path'
import {tempDirs} from '../config/temp-dir.js'

type Step = 'write' | 'sync' | 'close' | 'rename' | undefined
let failAt: Step

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})

jest.unstable_mockModule('node:fs/promises', () => ({
  ...realFsp,
  async open(...args: Parameters<typeof realFsp.open>): Promise<FileHandle> {
    const handle = await realFsp.open(...args)
    if (args[1] !== 'wx') return handle
    const {writeFile, sync, close} = handle
    handle.writeFile = async (data: Parameters<FileHandle['writeFile']>[0]) => {
      if (failAt !== 'write') return writeFile.call(handle, data)
      await writeFile.call(handle, (data as Buffer).subarray(0, Math.floor((data as Buffer).length / 2)))
      throw enospc()
    }
    handle.sync = async () => {
      await sync.call(handle)
      if (failAt === 'sync') throw Object.assign(new Error('EIO: i/o error, fsync'), {code: 'EIO'})
    }
    handle.close = async () => {
      await close.call(handle)
      if (failAt === 'close') throw Object.assign(new Error('EIO: i/o error, close'), {code: 'EIO'})
    }
    return handle
  },
  async rename(...args: Parameters<typeof realFsp.rename>) {
    if (failAt === 'rename') throw Object.assign(new Error('EXDEV: cross-device link not permitted'), {code: 'EXDEV'})
    return realFsp.rename(...args)
  },
}))

jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  writeSync(...args: Parameters<typeof realFs.writeSync>) {
    if (failAt !== 'write') return (realFs.writeSync as (...a: unknown[]) => number)(...args)
    const [fd, buffer] = args as unknown as [number, Buffer]
    realFs.writeSync(fd, buffer.subarray(0, Math.floor(buffer.length / 2)))
    throw enospc()
  },
  fsyncSync(fd: number) {
    realFs.fsyncSync(fd)
    if (failAt === 'sync') throw Object.assign(new Error('EIO: i/o error, fsync'), {code: 'EIO'})
  },
  renameSync(...args: Parameters<typeof realFs.renameSync>) {
    if (failAt === 'rename') throw Object.assign(new Error('EXDEV: cross-device link not permitted'), {code: 'EXDEV'})
    return realFs.renameSync(...args)
  },
}))

const {writeFileAtomic, writeFileAtomicSync} = await import('../../src/fs/atomic.js')

type Write = (path: string, data: string | Buffer, options?: WriteFileAtomicOptions) => Promise<WriteFileAtomicResult>

const dirs = tempDirs()
beforeEach(() => void (failAt = undefined))
afterEach(() => dirs.cleanup())

const OLD = 'OLD=kept\n'
const NEW = `NEW=${'x'.repeat(64 * 1024)}\n`

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (...args: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...args)],
] as [string, Write][])('%s when a step fails', (_name, write) => {
  const steps: Step[] = _name === 'writeFileAtomic' ? ['write', 'sync', 'close', 'rename'] : ['write', 'sync', 'rename']
  it.each(steps)('failing at %s keeps the old file byte for byte and leaves no temp file', async (step) => {
    const dir = dirs.make()
    const path = join(dir, '.env')
    await write(path, OLD)
    const before = realFs.statSync(path)
    failAt = step
    await expect(write(path, NEW)).rejects.toMatchObject({code: expect.any(String)})
    failAt = undefined
    expect(realFs.readFileSync(path, 'utf8')).toBe(OLD)
    expect(realFs.statSync(path).ino).toBe(before.ino)
    expect(realFs.readdirSync(dir)).toEqual(['.env'])
    // And the next attempt succeeds.
    expect(await write(path, NEW)).toBe('written')
    expect(realFs.readFileSync(path, 'utf8')).toBe(NEW)
  })

  it('failing before any file existed leaves nothing behind', async () => {
    const dir = dirs.make()
    failAt = 'write'
    await expect(write(join(dir, 'new.json'), NEW)).rejects.toMatchObject({code: 'ENOSPC'})
    expect(realFs.readdirSync(dir)).toEqual([])
  })
})
