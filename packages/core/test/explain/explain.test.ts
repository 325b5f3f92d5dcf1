// core's --explain: the pure explanation (provider attribution, withheld, overrides, size) and
// the human renderer, including an abuse test: no name or slug can forge a line or a control.
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {controlIn, secretName, secretsMap} from '../../../../test/helpers/abuse.js'
import {attributeProviders, explainEnvironment, renderExplanation, type ProviderSecrets} from '../../src/explain/index.js'
import {MAX_ARG_STRLEN} from '../../src/process/index.js'

const provider = (slug: string, secrets: Record<string, string>): ProviderSecrets => ({slug, secrets: new Map(Object.entries(secrets))})
const base = {inherited: {}, passCredentials: false, allowReserved: false, allowFlag: '--allow-reserved-env', command: 'node', platform: 'linux' as const}

describe('attributeProviders', () => {
  it('credits the provider whose copy was served; the later one when copies are equal', () => {
    const served = {A: 'a2', B: 'same', C: 'c', D: 'moved'}
    const {sources, duplicates} = attributeProviders(served, [], [provider('one', {A: 'a1', B: 'same', C: 'c', D: 'old'}), provider('two', {A: 'a2', B: 'same'})])
    expect(sources).toEqual([
      {name: 'A', provider: 'two', providers: ['one', 'two']},
      {name: 'B', provider: 'two', providers: ['one', 'two']},
      {name: 'C', provider: 'one', providers: ['one']},
      // Only one provider holds it: its value moved between the two reads, the source did not.
      {name: 'D', provider: 'one', providers: ['one']},
    ])
    expect(duplicates).toEqual([
      {name: 'A', providers: ['one', 'two'], winner: 'two', sameValue: false},
      {name: 'B', providers: ['one', 'two'], winner: null, sameValue: true},
    ])
  })

  it('credits a sealed name to the provider that served it sealed', () => {
    const sealedIn: ProviderSecrets = {slug: 'vault', secrets: new Map(), sealed: new Set(['SEALED'])}
    expect(attributeProviders({}, ['SEALED'], [provider('other', {A: 'a'}), sealedIn]).sources).toEqual([{name: 'SEALED', provider: 'vault', providers: ['vault']}])
  })

  it('says nothing about providers it was not given, and keeps __proto__ a name', () => {
    const served = Object.fromEntries([['__proto__', 'x']])
    expect(attributeProviders(served, ['SEALED'], undefined).sources).toEqual([
      {name: '__proto__', provider: null, providers: []},
      {name: 'SEALED', provider: null, providers: []},
    ])
  })
})

describe('explainEnvironment', () => {
  it('names overrides, withheld names with their flag, sealed ones, and what bella drops', () => {
    const e = explainEnvironment({
      ...base,
      secrets: {LOG_LEVEL: 'debug', NODE_OPTIONS: '--require x', 'a b': 'v', NEW: 'n'},
      sealed: ['SEALED'],
      inherited: {LOG_LEVEL: 'info', HOME: '/h', BELLA_BAXTER_API_KEY: 'k'},
    })
    expect(e.overrides).toEqual(['LOG_LEVEL'])
    expect(e.removed).toEqual(['BELLA_BAXTER_API_KEY'])
    expect(e.withheld).toEqual([
      {name: 'NODE_OPTIONS', reason: 'reserved', flag: '--allow-reserved-env'},
      {name: 'a b', reason: 'invalid-name', flag: null},
      {name: 'SEALED', reason: 'sealed', flag: null},
    ])
    expect(e.secrets.filter((s) => s.injected).map((s) => s.name)).toEqual(['LOG_LEVEL', 'NEW'])
    expect(e.providers).toBeNull()
    expect(e.size).toMatchObject({variables: 3, fits: true, perVariableLimit: MAX_ARG_STRLEN})
  })

  it('lets reserved names through with allowReserved, and counts a value too large for Linux', () => {
    const e = explainEnvironment({...base, allowReserved: true, secrets: {NODE_OPTIONS: 'x', BIG: 'x'.repeat(MAX_ARG_STRLEN)}})
    expect(e.withheld).toEqual([])
    expect(e.size.fits).toBe(false)
    expect(e.size.largest[0]!.name).toBe('BIG')
    expect(explainEnvironment({...base, platform: 'win32', secrets: {BIG: 'x'.repeat(MAX_ARG_STRLEN)}}).size).toMatchObject({limit: null, fits: true})
  })

  it('says which limit a variable too large for Linux breaks, when the whole environment is within its own', () => {
    const e = explainEnvironment({...base, secrets: {BIG: 'x'.repeat(MAX_ARG_STRLEN)}})
    const line = renderExplanation(e).at(-1)!
    expect(line).toContain('TOO LARGE to start')
    expect(line).toContain(`BIG is ${e.size.largest[0]!.bytes.toLocaleString('en-US')} bytes, over the ${MAX_ARG_STRLEN.toLocaleString('en-US')} bytes one variable may have`)
  })
})

describe('renderExplanation (abuse)', () => {
  it('prints any names and slugs one per row, quoted, with no control character and no extra line', () => {
    fc.assert(
      fc.property(secretsMap, secretName, secretName, (secrets, slugA, slugB) => {
        const names = Object.keys(secrets)
        const half = Object.fromEntries(Object.entries(secrets).slice(0, Math.ceil(names.length / 2)))
        const e = explainEnvironment({...base, secrets, inherited: {HOME: '/h'}, providers: [provider(slugA, secrets), provider(slugB, half)]})
        const text = renderExplanation(e).join('\n')
        expect(controlIn(text)).toBeUndefined()
        for (const line of text.split('\n')) expect(line).toMatch(/^(bella: | {2})/)
        // The table: a header, then one row per name (or one "(no secrets)" line).
        expect(text.split('\n').filter((l) => l.startsWith('  ')).length).toBe(names.length === 0 ? 1 : names.length + 1)
        for (const value of Object.values(secrets)) if (value.length > 200) expect(text).not.toContain(value)
      }),
      {numRuns: 300},
    )
  })
})
