import {describe, expect, it} from '@jest/globals'
import YAML from 'yaml'
import {trickySecrets} from '@bella/core/testing'
import {renderYaml, yamlQuote} from '../src/index.js'

type Secrets = Record<string, string>

function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Parsed back as YAML 1.2 (the default) and as YAML 1.1 (what older parsers implement). */
function expectRoundTrip(secrets: Secrets): string {
  const text = renderYaml(secrets)
  expect(YAML.parse(text)).toEqual(secrets)
  expect(YAML.parse(text, {version: '1.1'})).toEqual(secrets)
  return text
}

// Plain scalars that some YAML version resolves to a non-string.
const LOOKALIKES = [
  'true', 'false', 'True', 'FALSE', 'yes', 'no', 'Yes', 'NO', 'on', 'off', 'On', 'y', 'n', 'Y', 'N', 'null', 'Null', 'NULL', '~', '',
  '1', '-1', '+1', '1.10', '1.0', '1e3', '.5', '.inf', '-.Inf', '.nan', '.NaN', '0x10', '0o17', '017', '0b101', '1_000', '12:30:00',
  '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '-', '?', ':', '!!str x', '!tag', '&anchor', '*alias', '[a]',
  '{a: 1}', '|', '>', '"', "'", '%YAML', '---', '...', '@', '`', '#', 'a #b', 'a: b', '- a', ' lead', 'trail ', '\t', '\n',
]

describe('yaml rendering', () => {
  it('writes sorted NAME: "value" lines with a final LF; {} when empty', () => {
    expect(renderYaml({b: 'two', A: 'it\'s "1"\n', c: 'é 🚀'})).toBe('A: "it\'s \\"1\\"\\n"\nb: "two"\nc: "é 🚀"\n')
    expect(renderYaml({})).toBe('{}\n')
    expect(YAML.parse(renderYaml({}))).toEqual({})
  })

  it('keeps every value that looks like another type a string, in YAML 1.2 and 1.1', () => {
    const secrets = Object.fromEntries(LOOKALIKES.map((value, i) => [`V${String(i).padStart(3, '0')}`, value]))
    expectRoundTrip(secrets)
  })

  it('quotes names that are not plain identifiers or that YAML would resolve', () => {
    const secrets = Object.fromEntries(LOOKALIKES.map((name) => [name, 'x']))
    const text = expectRoundTrip({...secrets, PLAIN_Name_1: 'x', _x: 'y', 'é': 'z'})
    expect(text).toContain('\nPLAIN_Name_1: "x"\n')
    expect(text).toContain('"true": "x"\n')
    expect(text).toContain('"yes": "x"\n')
    expect(text).toContain('"null": "x"\n')
    expect(text).toContain('"1": "x"\n')
  })

  it('quotes E9-like names, which the YAML 1.1 float pattern reads as NaN (found by the abuse test)', () => {
    const text = expectRoundTrip({E9: 'x', e12: 'y', E: 'z', E9x: 'w'})
    expect(text).toContain('"E9": "x"\n')
    expect(text).toContain('"e12": "y"\n')
    expect(text).toMatch(/^E: "z"$/m)
    expect(text).toContain('\nE9x: "w"\n')
  })

  it('round-trips the contract test\'s tricky values', () => {
    expectRoundTrip({...trickySecrets})
  })

  it('escapes controls, line separators, BOM and unpaired surrogates; writes other characters as UTF-8', () => {
    expect(yamlQuote('\u0000\u0007\b\t\n\v\f\r\u001b\u007f\u0085\u009f\u00a0')).toBe('"\\u0000\\u0007\\u0008\\t\\n\\u000B\\u000C\\r\\u001B\\u007F\\u0085\\u009F\u00a0"')
    expect(yamlQuote('\u2028\u2029\ufeff\ufffe\uffff\ufffd')).toBe('"\\u2028\\u2029\\uFEFF\\uFFFE\\uFFFF\ufffd"')
    expect(yamlQuote('\ud800 \udc00 \u{1F680} \udbff')).toBe('"\\uD800 \\uDC00 \u{1F680} \\uDBFF"')
    expect(yamlQuote('a"b\\c')).toBe('"a\\"b\\\\c"')
    expectRoundTrip({A: '\u0000\u0007\b\t\n\v\f\r\u001b\u007f\u0085\u009f\u00a0\u2028\u2029\ufeff\ufffe\uffff', B: '\ud800x\udc00', C: '\u{1F680}'})
  })

  it('round-trips random strings of any UTF-16 code units and random names (seeded)', () => {
    const random = prng(11)
    const pool = ['"', "'", '\\', '#', ':', '-', ' ', '\t', '\n', '\r', '\u2028', '\u0085', '\ufeff', '\ud83d', '\ude80', 'a', 'é', '{', '[', '&', '*', '!', '|', '>', '%', '@', '`']
    const unit = () => (random() < 0.5 ? pool[Math.floor(random() * pool.length)]! : String.fromCharCode(Math.floor(random() * 0x10000)))
    for (let round = 0; round < 1000; round++) {
      const secrets: Secrets = {}
      for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
        let name = ''
        let value = ''
        for (let i = 0; i < Math.floor(random() * 6); i++) name += unit()
        for (let i = 0; i < Math.floor(random() * 16); i++) value += unit()
        if (name === '__proto__') continue
        secrets[name] = value
      }
      const text = renderYaml(secrets)
      expect({round, parsed: YAML.parse(text)}).toEqual({round, parsed: secrets})
    }
  })

  it('renders 10,000 secrets quickly', () => {
    const secrets: Secrets = {}
    for (let i = 0; i < 10_000; i++) secrets[`SECRET_${i}`] = `value "${i}"\n${'x'.repeat(100)}`
    const started = performance.now()
    const text = renderYaml(secrets)
    expect(performance.now() - started).toBeLessThan(250)
    expect(YAML.parse(text)).toEqual(secrets)
  })
})
