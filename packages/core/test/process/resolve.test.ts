import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type BellaError, exitCodeOf, isBellaError} from '../../src/errors.js'
import {resolveCommand} from '../../src/process/index.js'
import {fixture, removeDir, tempDir} from './helpers.js'

let dir: string
let bin1: string
let bin2: string

function failure(run: () => unknown): BellaError {
  try {
    run()
  } catch (error) {
    if (isBellaError(error)) return error
    throw error
  }

  throw new Error('expected resolveCommand to throw')
}

beforeAll(() => {
  dir = tempDir()
  bin1 = join(dir, 'bin1')
  bin2 = join(dir, 'bin2')
  mkdirSync(bin1)
  mkdirSync(bin2)
  // bin1: a non-executable "tool" and a directory named "dir-tool"; bin2: executable versions
  copyFileSync(fixture('not-executable.sh'), join(bin1, 'tool'))
  chmodSync(join(bin1, 'tool'), 0o644)
  mkdirSync(join(bin1, 'dir-tool'))
  for (const name of ['tool', 'dir-tool', 'only2']) {
    writeFileSync(join(bin2, name), '#!/bin/sh\nexit 0\n', {mode: 0o755})
  }

  copyFileSync(fixture('not-executable.sh'), join(dir, 'plain.sh'))
  chmodSync(join(dir, 'plain.sh'), 0o644)
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n', {mode: 0o755})
  symlinkSync(join(bin2, 'only2'), join(dir, 'link'))
})

afterAll(() => removeDir(dir))

describe('resolveCommand', () => {
  it('searches PATH in order and returns an absolute path', () => {
    expect(resolveCommand('only2', `${bin1}:${bin2}`)).toBe(join(bin2, 'only2'))
    expect(resolveCommand('sh', '/nonexistent:/bin:/usr/bin')).toMatch(/^\/(usr\/)?bin\/sh$/)
  })

  it('skips a non-executable file or a directory earlier on PATH, like execvp', () => {
    expect(resolveCommand('tool', `${bin1}:${bin2}`)).toBe(join(bin2, 'tool'))
    expect(resolveCommand('dir-tool', `${bin1}:${bin2}`)).toBe(join(bin2, 'dir-tool'))
  })

  it('treats an empty PATH entry as the working directory', () => {
    expect(resolveCommand('run.sh', `/nonexistent::`, {cwd: dir})).toBe(join(dir, 'run.sh'))
  })

  it('not found on PATH → notFound (127) naming the command, with a suggestion', () => {
    const error = failure(() => resolveCommand('no-such-command-xyz', `${bin1}:${bin2}`))
    expect(error.kind).toBe('notFound')
    expect(exitCodeOf(error)).toBe(127)
    expect(error.message).toContain('no-such-command-xyz')
    expect(error.suggestions.join(' ')).toMatch(/PATH/)
  })

  it('found only as a non-executable file or directory → cannotExecute (126)', () => {
    const notExec = failure(() => resolveCommand('tool', bin1))
    expect(notExec.kind).toBe('cannotExecute')
    expect(exitCodeOf(notExec)).toBe(126)
    expect(notExec.message).toContain(join(bin1, 'tool'))
    expect(notExec.suggestions.join(' ')).toContain('chmod +x')

    const directory = failure(() => resolveCommand('dir-tool', bin1))
    expect(exitCodeOf(directory)).toBe(126)
    expect(directory.message).toContain('directory')
  })

  it('uses a name with a slash as a path, relative to cwd, without searching PATH', () => {
    expect(resolveCommand('./run.sh', '/usr/bin', {cwd: dir})).toBe(join(dir, 'run.sh'))
    expect(resolveCommand('./link', '', {cwd: dir})).toBe(join(dir, 'link'))
    expect(exitCodeOf(failure(() => resolveCommand('./missing', bin2, {cwd: dir})))).toBe(127)
    expect(exitCodeOf(failure(() => resolveCommand('./plain.sh', bin2, {cwd: dir})))).toBe(126)
    expect(exitCodeOf(failure(() => resolveCommand(bin1, bin2)))).toBe(126)
    expect(exitCodeOf(failure(() => resolveCommand('bin2/only2/x', '', {cwd: dir})))).toBe(127) // ENOTDIR
  })

  it('an empty command is not found', () => {
    expect(exitCodeOf(failure(() => resolveCommand('', '/bin')))).toBe(127)
  })
})
