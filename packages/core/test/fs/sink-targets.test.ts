/**
 * What a secrets file may be written over: a regular file, or a symbolic link to one (written
 * through). Devices, FIFOs, sockets and dangling links are refused with an error naming the path
 * and what it is, and left exactly as they were. A file sink warns about a group- or
 * world-readable mode.
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {lstatSync, readdirSync, symlinkSync, type Stats} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {isBellaError} from '../../src/errors.js'
import {createFileSink, writeFileAtomic, writeFileAtomicSync} from '../../src/fs/index.js'
import {tempDirs} from '../config/temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const posixOnly = process.platform === 'win32' ? describe.skip : describe

async function failure(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error('did not throw')
}

/** The same kind of node, same inode: nothing replaced it. */
function expectUntouched(path: string, before: Stats): void {
  const after = lstatSync(path)
  expect([after.ino, after.mode, after.rdev]).toEqual([before.ino, before.mode, before.rdev])
}

type Special = {kind: string; make: (path: string) => Promise<(() => void) | void> | void; words: RegExp}
const specials: Special[] = [
  {kind: 'FIFO', make: (path) => void spawnSync('mkfifo', [path]), words: /FIFO/},
  {
    kind: 'socket',
    make: (path) =>
      new Promise((resolve) => {
        const server = createServer().listen(path, () => resolve(() => server.close()))
      }),
    words: /socket/,
  },
  // A character device like /dev/null (1,3), made here so no real device is ever at risk.
  {kind: 'character device', make: (path) => void spawnSync('mknod', [path, 'c', '1', '3']), words: /character device/},
]

posixOnly('sink targets that are not regular files', () => {
  for (const special of specials) {
    it(`refuses a ${special.kind}, directly or through a symbolic link, and leaves it alone`, async () => {
      const dir = dirs.make()
      const path = join(dir, 'target')
      const close = await special.make(path)
      try {
        let before: Stats
        try {
          before = lstatSync(path)
        } catch {
          return // mknod not permitted here (no CAP_MKNOD): nothing to test
        }
        const link = join(dir, 'link')
        symlinkSync(path, link)
        for (const write of [
          (p: string) => writeFileAtomic(p, 'SECRET=1\n'),
          async (p: string) => writeFileAtomicSync(p, 'SECRET=1\n'),
          (p: string) => createFileSink({render: () => 'SECRET=1\n'}, {path: p}, {baseDir: dir}).write({}),
        ]) {
          for (const target of [path, link]) {
            const error = await failure(() => write(target))
            expect(isBellaError(error)).toBe(true)
            expect(error.message).toMatch(special.words)
            expect(error.message).toContain(path)
            expect(error.message).not.toContain('SECRET')
            expectUntouched(path, before)
            expect(lstatSync(link).isSymbolicLink()).toBe(true)
          }
        }
        expect(readdirSync(dir).sort()).toEqual(['link', 'target'])
      } finally {
        close?.()
      }
    })
  }

  it('refuses a dangling symbolic link instead of replacing it', async () => {
    const dir = dirs.make()
    const link = join(dir, '.env')
    symlinkSync(join(dir, 'missing', 'file'), link)
    const error = await failure(() => writeFileAtomic(link, 'A=1\n'))
    expect(error.message).toContain(link)
    expect(error.message).toMatch(/symbolic link/)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readdirSync(dir)).toEqual(['.env'])
  })
})

describe('file sink mode', () => {
  it('warns when the mode lets the group or others read the secrets', () => {
    const dir = dirs.make()
    const sink = (mode?: string) => createFileSink({render: () => ''}, mode === undefined ? {path: '.env'} : {path: '.env', mode}, {baseDir: dir})
    expect(sink().warnings ?? []).toEqual([])
    expect(sink('0600').warnings ?? []).toEqual([])
    expect(sink('0400').warnings ?? []).toEqual([])
    const group = sink('0640').warnings ?? []
    expect(group).toHaveLength(1)
    expect(group[0]).toContain(join(dir, '.env'))
    expect(group[0]).toMatch(/0640.*group-readable/)
    expect((sink('0644').warnings ?? [])[0]).toMatch(/0644.*group- and world-readable/)
    expect((sink('0604').warnings ?? [])[0]).toMatch(/0604.*world-readable/)
  })
})
