import {describe, expect, it} from '@jest/globals'
import {trickySecrets} from '@bella/core/testing'
import {renderJson} from '../src/index.js'

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

describe('json rendering', () => {
  it('is a 2-space indented object with sorted names and a final LF', () => {
    expect(renderJson({b: 'two', a: 'one "1"', 'é': 'x\ny'})).toBe('{\n  "a": "one \\"1\\"",\n  "b": "two",\n  "é": "x\\ny"\n}\n')
    expect(renderJson({})).toBe('{}\n')
  })

  it('prints what JSON.stringify(…, null, 2) prints for the same sorted object', () => {
    const sorted = Object.fromEntries(Object.entries(trickySecrets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    expect(renderJson(trickySecrets)).toBe(`${JSON.stringify(sorted, null, 2)}\n`)
  })

  it('keeps integer-like names in code-point order instead of moving them to the front', () => {
    expect(Object.keys(JSON.parse(renderJson({b: '1', '10': '2', '9': '3', a: '4'})))).toEqual(['9', '10', 'a', 'b'])
    expect(renderJson({b: '1', '10': '2', '9': '3', a: '4'}).split('\n').slice(1, 5)).toEqual(['  "10": "2",', '  "9": "3",', '  "a": "4",', '  "b": "1"'])
  })

  it('round-trips any string, including NUL, controls, unpaired surrogates and odd names (seeded)', () => {
    const random = prng(7)
    const units = () => String.fromCharCode(Math.floor(random() * 0x10000))
    for (let round = 0; round < 500; round++) {
      const secrets: Record<string, string> = {'': 'empty name'}
      Object.defineProperty(secrets, '__proto__', {value: 'proto', enumerable: true, configurable: true, writable: true})
      for (let k = 0; k < 5; k++) {
        let name = ''
        let value = ''
        for (let i = 0; i < 1 + Math.floor(random() * 6); i++) name += units()
        for (let i = 0; i < Math.floor(random() * 20); i++) value += units()
        secrets[name] = value
      }
      expect({round, parsed: JSON.parse(renderJson(secrets))}).toEqual({round, parsed: {...secrets}})
    }
  })

  it('renders 10,000 secrets quickly', () => {
    const secrets: Record<string, string> = {}
    for (let i = 0; i < 10_000; i++) secrets[`SECRET_${i}`] = `value "${i}"\n${'x'.repeat(100)}`
    const started = performance.now()
    const text = renderJson(secrets)
    expect(performance.now() - started).toBeLessThan(250)
    expect(JSON.parse(text)).toEqual(secrets)
  })
})
