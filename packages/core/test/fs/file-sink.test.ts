import {afterEach, describe, expect, it} from '@jest/globals'
import {chmodSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {isBellaError} from '../../src/errors.js'
import {compareCodePoints, createFileSink, parseFileMode, parseFileSinkOptions, sortedKeys} from '../../src/fs/index.js'
import {tempDirs} from '../config/temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

function thrown(fn: () => unknown): any {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('did not throw')
}

describe('parseFileMode', () => {
  it('reads octal strings and numbers that already are modes', () => {
    expect(parseFileMode('0600')).toBe(0o600)
    expect(parseFileMode('640')).toBe(0o640)
    expect(parseFileMode('0o644')).toBe(0o644)
    expect(parseFileMode(' 0400 ')).toBe(0o400)
    expect(parseFileMode('0')).toBe(0)
    expect(parseFileMode(0o640)).toBe(0o640)
    expect(parseFileMode(420)).toBe(0o644)
  })

  it.each([['0800'], ['rw-r-----'], [''], ['0x1a4'], ['01000'], ['4755'], ['-1']])('refuses the string %j with a usage error naming the option', (value) => {
    const error = thrown(() => parseFileMode(value, 'mode'))
    expect(isBellaError(error)).toBe(true)
    expect(error).toMatchObject({kind: 'usage', exitCode: 2, code: 'invalid_file_mode'})
    expect(error.message).toContain('option "mode"')
    expect(error.message).toContain(JSON.stringify(value))
  })

  it('refuses numbers outside 0–0777, explaining that YAML reads an unquoted 0640 as decimal', () => {
    const error = thrown(() => parseFileMode(640, 'mode'))
    expect(error).toMatchObject({kind: 'usage'})
    expect(error.message).toContain('option "mode"')
    expect(error.message).toContain('decimal 640')
    expect(error.suggestions.join(' ')).toContain('mode: "0640"')
    for (const bad of [-1, 0o1000, 1.5, Number.NaN]) expect(thrown(() => parseFileMode(bad))).toMatchObject({kind: 'usage'})
  })

  it('refuses other types, naming the option it was given', () => {
    for (const bad of [true, null, {}, ['0600']]) {
      const error = thrown(() => parseFileMode(bad, 'file-mode'))
      expect(error).toMatchObject({kind: 'usage'})
      expect(error.message).toContain('option "file-mode"')
    }
  })
})

describe('parseFileSinkOptions', () => {
  it('resolves path against the base folder and defaults mode to 0600', () => {
    expect(parseFileSinkOptions({path: './out/.env'}, {baseDir: '/etc/app'})).toEqual({path: '/etc/app/out/.env', mode: 0o600})
    expect(parseFileSinkOptions({path: '/abs/x.json', mode: '0640'}, {baseDir: '/etc/app'})).toEqual({path: '/abs/x.json', mode: 0o640})
  })

  it('requires a non-empty string path', () => {
    for (const options of [{}, {path: null}, {path: ''}, {path: '  '}, {path: 3}, {path: 'a\0b'}, {mode: '0600'}]) {
      const error = thrown(() => parseFileSinkOptions(options, {baseDir: '/'}))
      expect(error).toMatchObject({kind: 'usage'})
      expect(error.message).toContain('"path"')
    }
  })

  it('names unknown options and lists the allowed ones', () => {
    const error = thrown(() => parseFileSinkOptions({path: 'x', perms: '0600', owner: 'me'}, {baseDir: '/'}))
    expect(error).toMatchObject({kind: 'usage', code: 'sink_unknown_option'})
    expect(error.message).toBe('unknown options "perms", "owner"')
    expect(error.suggestions).toEqual(['a file sink takes only: path, mode'])
  })

  it('passes a bad mode on as a usage error naming "mode"', () => {
    expect(thrown(() => parseFileSinkOptions({path: 'x', mode: '999'}, {baseDir: '/'})).message).toContain('option "mode"')
  })
})

describe('createFileSink', () => {
  const upper = {render: (secrets: Readonly<Record<string, string>>) => `${Object.keys(secrets).join(',')}\n`}

  it('targets the resolved path, writes with the mode, and reports unchanged bytes', async () => {
    const dir = dirs.make()
    const sink = createFileSink(upper, {path: 'sub/out.txt', mode: '0640'}, {baseDir: dir})
    expect(sink.target).toBe(join(dir, 'sub', 'out.txt'))
    expect(await sink.write({A: '1', B: '2'})).toBe('written')
    expect(readFileSync(sink.target, 'utf8')).toBe('A,B\n')
    if (process.platform !== 'win32') expect(statSync(sink.target).mode & 0o777).toBe(0o640)
    expect(await sink.write({A: 'other', B: 'values'})).toBe('unchanged')
  })

  it('turns a file-system failure into a general BellaError with the errno and no content', async () => {
    if (process.platform === 'win32' || process.getuid?.() === 0) return
    const dir = dirs.make()
    chmodSync(dir, 0o500)
    try {
      const sink = createFileSink({render: () => 'TOP-SECRET-VALUE'}, {path: 'x'}, {baseDir: dir})
      const error: any = await sink.write({}).catch((e: unknown) => e)
      expect(error).toMatchObject({kind: 'general', code: 'sink_write_failed', message: 'permission denied (EACCES)'})
      expect(error.suggestions[0]).toContain(dir)
      expect(JSON.stringify({m: error.message, s: error.suggestions})).not.toContain('TOP-SECRET')
    } finally {
      chmodSync(dir, 0o700)
    }
  })

  it('names the errno when a parent of the path is a file', async () => {
    const dir = dirs.make()
    const sink = createFileSink(upper, {path: 'plain-file/sub/out.txt'}, {baseDir: dir})
    await createFileSink(upper, {path: 'plain-file'}, {baseDir: dir}).write({A: '1'})
    const error: any = await sink.write({A: '1'}).catch((e: unknown) => e)
    expect(error).toMatchObject({kind: 'general', code: 'sink_write_failed', message: 'a parent of it is not a folder (ENOTDIR)'})
    expect(error.suggestions[0]).toContain(join(dir, 'plain-file'))
  })

  it('lets a rendering error through unchanged and writes nothing', async () => {
    const dir = dirs.make()
    const refusal = new Error('cannot render')
    const sink = createFileSink({render: () => { throw refusal }}, {path: 'x'}, {baseDir: dir})
    await expect(sink.write({})).rejects.toBe(refusal)
    expect(() => statSync(sink.target)).toThrow()
  })
})

describe('code-point order', () => {
  it('sorts astral characters after U+E000–U+FFFF, unlike UTF-16 order', () => {
    const names = ['\u{1F680}', '\uFF21', 'b', 'B', 'a', '\uE000', '_', '10', '9', 'é']
    expect(sortedKeys(Object.fromEntries(names.map((n) => [n, ''])))).toEqual(['10', '9', 'B', '_', 'a', 'b', 'é', '\uE000', '\uFF21', '\u{1F680}'])
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0)
    expect(compareCodePoints('ab', 'ab')).toBe(0)
    const byCodePoints = (a: string, b: string) => {
      const x = [...a].map((c) => c.codePointAt(0)!)
      const y = [...b].map((c) => c.codePointAt(0)!)
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
      return x.length - y.length
    }
    const pool = ['a', 'z', '\uD7FF', '\uE000', '\uFFFF', '\u{10000}', '\u{1F680}', '\u{10FFFF}', 'a\u{1F680}', 'a\uFFFF']
    for (const a of pool) for (const b of pool) expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)))
  })
})

describe('createFileSink round-trip check', () => {
  it('refuses to write what the format does not read back to the same secrets, keeping the old file', async () => {
    const dir = dirs.make()
    const path = join(dir, 'out.txt')
    const sink = (parse: (text: string) => Record<string, string>) =>
      createFileSink({render: (secrets) => `${JSON.stringify(secrets)}\n`, parse}, {path: 'out.txt'}, {baseDir: dir})
    expect(await sink((text) => JSON.parse(text)).write({A: 'old'})).toBe('written')
    for (const parse of [() => ({A: 'new-value-9f8e', EXTRA: 'x'}), () => ({}), () => ({A: 'other-value'}), () => JSON.parse('not json')]) {
      const error: any = await sink(parse)
        .write({A: 'new-value-9f8e'})
        .catch((e) => e)
      expect(isBellaError(error)).toBe(true)
      expect(error.code).toBe('sink_round_trip_failed')
      expect(error.message).toContain(path)
      expect(error.message).not.toContain('new-value-9f8e')
      expect(readFileSync(path, 'utf8')).toBe('{"A":"old"}\n')
    }
  })
})
