// Which output streams `bella run` masks: the flag, CI=true, and bella's own terminals.
import {describe, expect, it} from '@jest/globals'
import {decideMasking, isCi} from '../../src/process/mask/mode.js'

const pipes = {stdout: false, stderr: false}
const terminals = {stdout: true, stderr: true}

describe('decideMasking', () => {
  it('is off without --mask and outside CI, and --no-mask wins over CI', () => {
    expect(decideMasking(undefined, {}, pipes)).toEqual({})
    expect(decideMasking(undefined, {CI: 'false'}, pipes)).toEqual({})
    expect(decideMasking(false, {CI: 'true'}, pipes)).toEqual({})
  })

  it('an explicit --mask masks both streams, terminals included, without a word', () => {
    expect(decideMasking(true, {}, terminals)).toEqual({streams: {stdout: true, stderr: true}})
  })

  it("CI=true masks the streams that are not terminals, and says which ones it left alone", () => {
    expect(decideMasking(undefined, {CI: 'true'}, pipes)).toEqual({streams: {stdout: true, stderr: true}})
    const mixed = decideMasking(undefined, {CI: 'true'}, {stdout: false, stderr: true})
    expect(mixed.streams).toEqual({stdout: true, stderr: false})
    expect(mixed.warning).toMatch(/stderr is a terminal and is left unmasked.*--mask/)
    const both = decideMasking(undefined, {CI: '1'}, terminals)
    expect(both.streams).toBeUndefined()
    expect(both.warning).toMatch(/stdout and stderr are terminals/)
  })

  it('reads CI=true or 1, in any case', () => {
    expect(['true', 'TRUE', '1'].map((CI) => isCi({CI}))).toEqual([true, true, true])
    expect(['', '0', 'false', 'yes'].map((CI) => isCi({CI}))).toEqual([false, false, false, false])
    expect(isCi({})).toBe(false)
  })
})
