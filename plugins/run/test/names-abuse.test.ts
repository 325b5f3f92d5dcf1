// Property-based abuse test of the names `bella run --watch` lists in its messages.
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {quoteName} from '@bella/core'
import {controlIn, secretName} from '../../../test/helpers/abuse.js'
import {describeNames} from '../src/watch/policy.js'

describe('run --watch names: abuse', () => {
  it('describeNames lists any names on one line, each quoted as core quotes names', () => {
    fc.assert(
      fc.property(fc.array(secretName, {maxLength: 10}), (names) => {
        const text = describeNames(names)
        expect(text.includes('\n')).toBe(false)
        expect(controlIn(text)).toBeUndefined()
        for (const name of names.slice(0, 6)) expect(text).toContain(quoteName(name, 200))
        if (names.length > 6) expect(text).toContain(`+${names.length - 6} more`)
      }),
      {numRuns: 300},
    )
  })

  it('an 8-bit CSI in a name is escaped (JSON.stringify left it raw)', () => {
    expect(describeNames(['A\x9b2J'])).toBe('1 key: "A\\u009b2J"')
  })
})
