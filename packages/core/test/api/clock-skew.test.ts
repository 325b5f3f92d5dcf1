import {describe, expect, it} from '@jest/globals'
import {clockSkewMs} from '../../src/api/clock-skew.js'

describe('clockSkewMs', () => {
  const now = new Date('2026-11-26T08:00:00Z')
  const at = (offsetS: number) => new Date(now.getTime() + offsetS * 1000).toUTCString()

  it('blames the clock only beyond what servers tolerate (minutes), either way', () => {
    expect(clockSkewMs(at(20 * 60), now)).toBe(20 * 60_000)
    expect(clockSkewMs(at(-7 * 60), now)).toBe(-7 * 60_000)
  })

  it('does not blame a clock two minutes off: the 401 of an expired token has another cause', () => {
    expect(clockSkewMs(at(119), now)).toBeUndefined()
    expect(clockSkewMs(at(-30), now)).toBeUndefined()
  })

  it('ignores a missing or unreadable Date header', () => {
    expect(clockSkewMs(undefined, now)).toBeUndefined()
    expect(clockSkewMs('yesterday-ish', now)).toBeUndefined()
  })
})
