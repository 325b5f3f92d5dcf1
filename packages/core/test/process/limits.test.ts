import {describe, expect, it} from '@jest/globals'
import {ChildProcessHandle, checkSpawnSize, MAX_ARG_STRLEN, spawnSizeError, TOTAL_ARG_LIMIT} from '../../src/process/index.js'
import {ExitCode} from '../../src/errors.js'
import {rejection} from '../helpers/errors.js'

const PATH = process.env.PATH ?? '/usr/bin:/bin'
/** A value making `NAME=value` plus its NUL exactly `bytes` long. */
const sized = (name: string, bytes: number) => 'v'.repeat(bytes - name.length - 2)

describe('checkSpawnSize', () => {
  it('accepts a variable of exactly MAX_ARG_STRLEN bytes (NAME=value and its NUL), refuses one byte more, naming it', () => {
    expect(MAX_ARG_STRLEN).toBe(131_072)
    expect(checkSpawnSize({command: 'node', env: {BIG: sized('BIG', MAX_ARG_STRLEN)}}, 'linux')).toBeUndefined()
    const problem = checkSpawnSize({command: 'node', env: {OK: 'x', BIG: sized('BIG', MAX_ARG_STRLEN + 1)}}, 'linux')
    expect(problem).toEqual({kind: 'variable', name: 'BIG', bytes: MAX_ARG_STRLEN + 1, limit: MAX_ARG_STRLEN})
  })

  it('counts bytes, not characters', () => {
    const value = 'é'.repeat(70_000) // 140,000 bytes in UTF-8
    expect(checkSpawnSize({command: 'node', env: {U: value}}, 'linux')).toMatchObject({kind: 'variable', name: 'U', bytes: 140_003})
  })

  it('refuses a total over the conservative limit, naming the largest variables', () => {
    const env: Record<string, string> = {}
    for (let i = 0; i < 20; i++) env[`V${i}`] = 'x'.repeat(120_000)
    const problem = checkSpawnSize({command: 'node', args: ['a'], env}, 'linux')
    expect(problem?.kind).toBe('total')
    if (problem?.kind !== 'total') return
    expect(problem.limit).toBe(TOTAL_ARG_LIMIT)
    expect(problem.bytes).toBeGreaterThan(TOTAL_ARG_LIMIT)
    expect(problem.largest).toHaveLength(3)
  })

  it('has no per-variable limit where the system has none (macOS), only the total', () => {
    expect(checkSpawnSize({command: 'node', env: {BIG: 'x'.repeat(200_000)}}, 'darwin')).toBeUndefined()
  })
})

describe('spawnSizeError', () => {
  it('is a 126 naming the variable, its size and the limit, suggesting a file sink, never the value', () => {
    const error = spawnSizeError({kind: 'variable', name: 'BIG', bytes: 143_365, limit: MAX_ARG_STRLEN}, 'node')
    expect(error.exitCode).toBe(ExitCode.cannotExecute)
    expect(error.message).toContain('BIG')
    expect(error.message).toContain('143,365 bytes')
    expect(error.message).toContain('131,072')
    expect(error.suggestions.join(' ')).toContain('bella agent')
  })
})

describe('ChildProcessHandle.start: an environment too large to exec', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip
  onLinux('is refused before spawning, as 126 naming the variable (never the value)', async () => {
    const value = `secret-${'s'.repeat(140 * 1024)}`
    const error = await rejection(ChildProcessHandle.start({command: process.execPath, args: ['-e', '0'], env: {PATH, BIG: value}}))
    expect(error.exitCode).toBe(126)
    expect(error.message).toContain('BIG')
    expect(error.message).not.toContain('secret-sss')
  })
})
