// Property-based abuse tests of `bella api-keys list`: whatever text the server sends as a key's
// name, id or prefix, the table has one line per key, no control characters, and the header first.
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {anyText, controlIn} from '../../../test/helpers/abuse.js'
import {renderKeyTable} from '../src/key-table.js'
import type {ApiKeyResponse} from '../src/types.js'
import {keyResponse} from './key-fixture.js'

const NOW = new Date('2026-05-01T12:00:00Z')

const key = fc.record({id: anyText, clientName: anyText, keyPrefix: anyText, expiresAt: fc.constantFrom(null, '2026-07-30T12:00:00Z', 'garbage')}).map(
  (k): ApiKeyResponse => keyResponse(k),
)

describe('api-keys table: abuse', () => {
  it('any key names, ids and prefixes: one line per key after the header, no control characters', () => {
    fc.assert(
      fc.property(fc.array(key, {maxLength: 5}), fc.integer({min: 0, max: 300}), (keys, width) => {
        const table = renderKeyTable(keys, {width, now: NOW})
        const lines = table.split('\n')
        expect(lines).toHaveLength(keys.length + 1)
        expect(lines[0]).toMatch(/^ID +NAME +PREFIX +CREATED +LAST USED +EXPIRES +STATUS$/)
        expect(controlIn(table.replace(/\n/g, ''))).toBeUndefined()
        for (const line of lines.slice(1)) expect(line).toMatch(/(active|expired)$/)
      }),
      {numRuns: 300},
    )
  })

  // Found by the property: the table masked C0/C1 but let U+2028/U+2029 and bidi overrides through.
  it('masks line separators and bidi overrides in a key name', () => {
    const [, row] = renderKeyTable([fc.sample(key, {numRuns: 1, seed: 1})[0]!].map((k) => ({...k, clientName: 'a\u2028b\u202ec', keyPrefix: 'bax-1', id: 'id'})), {now: NOW}).split('\n')
    expect(row).toContain('a?b?c')
  })
})
