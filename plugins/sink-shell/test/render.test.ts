import {describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {isBellaError} from '@bella/core'
import {parseShell, renderShell} from '../src/index.js'

const HOSTILE = {
  QUOTES: `it's "quoted" '' \\' end'`,
  DOLLAR: '$HOME `id` $(id) ${PATH} \\n',
  LINES: 'a\nb\r\n\n',
  UNICODE: 'héllo ✓ 🚀 \u202e',
  EMPTY: '',
  BIG: 'x'.repeat(100 * 1024),
}

describe('renderShell', () => {
  it('prints export lines that sh reads back to exactly the values', () => {
    const text = renderShell(HOSTILE)
    expect(text.split('\n')[0]).toBe("export BIG='" + 'x'.repeat(100 * 1024) + "'")
    expect(parseShell(text)).toEqual(HOSTILE)
    const names = Object.keys(HOSTILE)
    const script = `${text}\nnode -e 'process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).map((n) => [n, process.env[n]]))))' ${names.join(' ')}`
    const back = JSON.parse(execFileSync('sh', ['-c', `eval "$(cat)"`], {input: script, env: {PATH: process.env.PATH}}).toString())
    expect(back).toEqual(HOSTILE)
  })

  it('escapes a quote as the four characters quote, backslash, quote, quote', () => {
    expect(renderShell({A: "it's"})).toBe("export A='it'\\''s'\n")
  })

  it('refuses names a shell variable cannot have, naming every one (never a value)', () => {
    const secrets = Object.fromEntries([['OK', 'v'], ['my-key', 'secret-1'], ['1ABC', 'secret-2'], ['a\u001bb', 'secret-3']])
    try {
      renderShell(secrets)
      throw new Error('expected an error')
    } catch (error) {
      expect(isBellaError(error)).toBe(true)
      const message = (error as Error).message
      expect(message).toContain('"my-key"')
      expect(message).toContain('"1ABC"')
      expect(message).toContain('"a\\u001bb"')
      expect(message).not.toContain('secret-')
    }
  })

  it('takes a secret named __proto__ as data', () => {
    const secrets = Object.fromEntries([['__proto__', 'p']])
    expect(renderShell(secrets)).toBe("export __proto__='p'\n")
    expect(Object.hasOwn(parseShell("export __proto__='p'\n"), '__proto__')).toBe(true)
  })
})
