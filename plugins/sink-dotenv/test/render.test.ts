import {describe, expect, it} from '@jest/globals'
import dotenv from 'dotenv'
import {isBellaError} from '@bella/core'
import {trickySecrets} from '@bella/core/testing'
import {encodeDotenvValue, renderDotenv} from '../src/index.js'

type Secrets = Record<string, string>

/** Render, parse with dotenv, and expect exactly the same map back (no lost, changed or extra key). */
function expectRoundTrip(secrets: Secrets): string {
  const text = renderDotenv(secrets)
  expect(dotenv.parse(text)).toEqual(secrets)
  return text
}

function renderError(secrets: Secrets): any {
  try {
    renderDotenv(secrets)
  } catch (error) {
    return error
  }
  throw new Error('renderDotenv did not refuse')
}

// mulberry32: a tiny seeded PRNG, so a failing case can be reproduced from its seed.
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!}
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const SINGLE_BARE = /(^|[^\\])'/
const DOUBLE_BARE = /(^|[^\\])"/
const BACKTICK_BARE = /(^|[^\\])`/

/**
 * Independent of the encoder: what any value it refuses must satisfy. Each quote kind must be ruled
 * out ('…' and `…` by an unescaped quote or a CR; "…" by an unescaped `"` or a backslash-n/-r pair),
 * and the unquoted form by a `#`, a line break or similar; NUL and unpaired surrogates are refused
 * outright.
 */
function refusalIsJustified(value: string): boolean {
  if (value.includes('\0') || UNPAIRED_SURROGATE.test(value)) return true
  const cr = value.includes('\r')
  const single = cr || SINGLE_BARE.test(value)
  const backtick = cr || BACKTICK_BARE.test(value)
  const double = DOUBLE_BARE.test(value) || /\\[nr]/.test(value)
  return single && backtick && double
}

describe('dotenv rendering', () => {
  it('writes sorted KEY=value lines with a final LF, quoting only what needs it', () => {
    const text = expectRoundTrip({
      URL: 'postgres://u:p@db:5432/app?ssl=true',
      B_SPACE: 'two words',
      A_EMPTY: '',
      PEM: '-----BEGIN KEY-----\nAAA\n-----END KEY-----\n',
      APOS: "it's",
      MIXED: `'"both"'`,
      PATH_WIN: 'C:\\dir\\',
      PATH_WIN_2: 'C:\\Program Files\\',
    })
    expect(text).toBe(
      [
        "APOS=\"it's\"",
        "A_EMPTY=''",
        "B_SPACE='two words'",
        "MIXED=`'\"both\"'`",
        'PATH_WIN=C:\\dir\\',
        'PATH_WIN_2=C:\\Program Files\\',
        'PEM="-----BEGIN KEY-----\\nAAA\\n-----END KEY-----\\n"',
        "URL='postgres://u:p@db:5432/app?ssl=true'",
        '',
      ].join('\n'),
    )
    expect(renderDotenv({})).toBe('')
  })

  it('sorts names by code point, not by locale', () => {
    expect(renderDotenv({b: '1', B: '2', _a: '3', a: '4', '1': '5', 'a.b': '6', 'a-b': '7'})).toBe('1=5\nB=2\n_a=3\na=4\na-b=7\na.b=6\nb=1\n')
  })

  it('reads back the contract test\'s tricky values, one line or quoted block per secret', () => {
    const text = expectRoundTrip({...trickySecrets})
    // Only '…'/`…` blocks may span lines; here every value fits on one line.
    expect(text.split('\n').length - 1).toBe(Object.keys(trickySecrets).length)
  })

  it.each<[string, string]>([
    ['a value that looks like the next assignment', 'x\nINJECTED=1\n# comment'],
    ['a value with a comment marker', 'abc # not a comment'],
    ['an unbalanced single quote', "'open"],
    ['an unbalanced double quote', '"open'],
    ['an unbalanced backtick', '`open'],
    ['quotes at both ends', '"quoted"'],
    ['single quotes at both ends', "'quoted'"],
    ['a backslash before a quote', 'a\\"b\\\'c\\`d'],
    ['literal backslash-n', 'C:\\new\\table'],
    ['CRLF with double quotes', 'a\r\n"b"\r\n'],
    ['a lone CR', 'a\rb'],
    ['a CR at the end', 'a\r'],
    ['an export prefix', 'export X=1'],
    ['leading and trailing whitespace of every kind', ' \t\u00a0\ufeff\u2028x\u2029\u3000 \v\f'],
    ['only spaces', '   '],
    ['astral characters', '\u{1F680}\u{10FFFF}'],
    ['a trailing backslash', 'ends with \\'],
    ['a trailing backslash in a multi-line value', 'line\\\nnext \\'],
    ['a trailing backslash after a quote', "it's # \\"],
    ['dollar forms', '$HOME ${HOME} $(id) `id`'],
    ['U+2028 before a quote', "a\u2028'b'"],
    ['U+2028 after a double quote', 'a" \u2028b"'],
  ])('round-trips %s', (_name, value) => {
    expectRoundTrip({A: 'first', K: value, Z: 'last'})
  })

  it('keeps a value ending in a backslash from swallowing a following line that looks like a closing quote', () => {
    const followers = [" # x'", '" # x', '` #', "'", '"', '`', ' ', '#', "'\\", ' #\'"', '"`#']
    for (const quotedValue of ["a b\\", "it's\\", 'x\n\\', '`\'\\', '\\']) {
      for (const follower of followers) expectRoundTrip({K: quotedValue, L: follower, M: 'end'})
    }
  })

  it('every value of up to 3 characters over a hostile alphabet round-trips next to hostile neighbours, or is refused for a documented reason', () => {
    const alphabet = ["'", '"', '`', '\\', '#', '\n', '\r', ' ', 'n', 'r', 'a', '=', '\u2028', '$']
    const neighbours = ['', ' # x', "' # x", '" #', '` #', "'", '"', '\\', ' ', '#', 'K=v']
    const values: string[] = ['']
    for (let length = 1; length <= 3; length++) {
      for (const prefix of values.filter((v) => v.length === length - 1)) for (const c of alphabet) values.push(prefix + c)
    }
    let refused = 0
    const failures: unknown[] = []
    for (const value of values) {
      const encoded = encodeDotenvValue(value)
      if (!encoded.ok) {
        refused++
        if (!refusalIsJustified(value)) failures.push({refused: value})
        continue
      }
      for (const neighbour of neighbours) {
        const parsed = dotenv.parse(renderDotenv({A: neighbour, B: value, C: neighbour}))
        const keys = Object.keys(parsed)
        if (keys.length !== 3 || parsed['A'] !== neighbour || parsed['B'] !== value || parsed['C'] !== neighbour) {
          failures.push({value, neighbour, parsed})
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([])
    expect(refused).toBeLessThan(values.length / 100)
  })

  it('round-trips thousands of random values and name sets (seeded), never adding or losing a key', () => {
    const tokens = [
      "'", '"', '`', '\\', '#', '$', '=', '\n', '\r', '\r\n', ' ', '  ', '\t', '\v', '\f', 'n', 'r', 'a', 'Z', '0', '9', '_', '-', '.',
      ':', '{', '}', '(', ')', '${X}', 'export ', 'KEY=', '# ', '\\n', '\\r', '\\"', "\\'", 'é', '✓', 'ß', '\u00a0', '\ufeff', '\u2028',
      '\u2029', '\u3000', '\u{1F680}', '\u{10FFFF}', '\u0085', '\u0001', '\u001b', '\u007f', 'true', 'null',
    ]
    const nameChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-'
    const seed = 20240601
    const random = prng(seed)
    let values = 0
    let refused = 0
    for (let round = 0; round < 3000; round++) {
      const secrets: Secrets = {}
      const count = 1 + random.int(8)
      for (let k = 0; k < count; k++) {
        let name = ''
        const nameLength = 1 + random.int(10)
        for (let i = 0; i < nameLength; i++) name += nameChars[random.int(nameChars.length)]
        let value = ''
        const valueLength = random.int(14)
        for (let i = 0; i < valueLength; i++) value += random.pick(tokens)
        values++
        if (!encodeDotenvValue(value).ok) {
          refused++
          expect({seed, round, value, justified: refusalIsJustified(value)}).toEqual({seed, round, value, justified: true})
          continue
        }
        secrets[name] = value
      }
      const parsed = dotenv.parse(renderDotenv(secrets))
      expect({seed, round, parsed}).toEqual({seed, round, parsed: secrets})
    }
    // The token pool is mostly quotes, CRs and backslashes, so refusals are far more frequent here
    // than in real data (a few %, each one checked above); everything else must round-trip.
    expect(values).toBeGreaterThan(10000)
    expect(refused / values).toBeLessThan(0.1)
  })

  it('renders 10,000 secrets in linear time', () => {
    const secrets: Secrets = {}
    for (let i = 0; i < 10_000; i++) secrets[`SECRET_${i}`] = i % 3 === 0 ? `value-${i}` : i % 3 === 1 ? `multi\nline "${i}" # x` : `it's ${'\\'.repeat(50)}`
    const started = performance.now()
    const text = renderDotenv(secrets)
    const elapsed = performance.now() - started
    expect(dotenv.parse(text)).toEqual(secrets)
    expect(elapsed).toBeLessThan(250)
  })
})

describe('dotenv refusals name the secret, never its value', () => {
  const refused: [string, string, string][] = [
    ['a CR with a literal backslash-n', 'SECRET-\\n-\r\n', 'a carriage return'],
    ['a CR with a double quote and a #', 'SECRET-"#"\r\n', 'a carriage return'],
    ['all three quote kinds with a #', `SECRET-'"\`#`, 'unescaped \' " ` quotes'],
    ['all three quote kinds, a line break and a literal \\n', `SECRET-'"\`\n\\n`, 'a line feed'],
    ['a NUL character', 'SECRET-\0', 'NUL'],
    ['an unpaired surrogate', 'SECRET-\uD800', 'not valid Unicode'],
  ]

  it.each(refused)('refuses %s', (_name, value, reason) => {
    expect(refusalIsJustified(value)).toBe(true)
    const error = renderError({OK: 'fine', BAD_ONE: value})
    expect(isBellaError(error)).toBe(true)
    expect(error).toMatchObject({kind: 'general', code: 'dotenv_unrepresentable_value'})
    expect(error.message).toContain('"BAD_ONE"')
    expect(error.message).toContain(reason)
    expect(JSON.stringify({m: error.message, s: error.suggestions})).not.toContain('SECRET-')
  })

  // Evidence for the refusals (the proof is in render.ts): no text of up to 6 characters after
  // `K=`, over every character that could matter, makes dotenv.parse return the value.
  it.each<[string, string[]]>([
    ['\\n\r', ['\\', 'n', 'r', '\r', '\n', '"', "'", '`', ' ', '#']],
    ['"#\r', ['\\', 'r', '\r', '\n', '"', "'", '`', ' ', '#']],
    [`'"\`#`, ['\\', '"', "'", '`', ' ', '#', '\n']],
  ])('no dotenv text encodes %j (exhaustive search)', (value, alphabet) => {
    expect(encodeDotenvValue(value).ok).toBe(false)
    const found: string[] = []
    const search = (text: string) => {
      const parsed = dotenv.parse(`K=${text}\n`)
      if (parsed['K'] === value && Object.keys(parsed).length === 1) found.push(text)
      if (text.length < 6) for (const c of alphabet) search(text + c)
    }
    search('')
    expect(found).toEqual([])
  })

  it.each([['A B'], ['A=B'], ['A\nB'], ['#A'], [''], ['é'], ['A:B'], ['__proto__'], ['export A']])('refuses the name %j', (name) => {
    const error = renderError({OK: 'x', [name]: 'value'})
    expect(error).toMatchObject({kind: 'general', code: 'dotenv_invalid_name'})
    expect(error.message).toContain(JSON.stringify(name))
  })

  it('accepts every name dotenv can read', () => {
    expectRoundTrip({'a.b-c_D9': '1', '9lives': '2', '-': '3', '.': '4', export: '5', constructor: '6'})
  })
})
