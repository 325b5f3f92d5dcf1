/**
 * The refresh schedule's arithmetic (refresh-loop.ts): jitter only shortens a wait, failures double
 * it up to a cap, Retry-After is a floor, and no wait overflows Node's timers. The loop itself runs
 * against the emulator in config.test.ts.
 */
import {describe, expect, it} from '@jest/globals'
import {JITTER, MAX_BACKOFF_MS, MAX_WAIT_MS, nextDelay, startRefreshLoop} from '../src/refresh-loop.js'

describe('nextDelay', () => {
  it('waits the interval at most, and at least 90 % of it, while refreshes succeed', () => {
    expect(nextDelay(60_000, 0, undefined, () => 0)).toBe(60_000)
    expect(nextDelay(60_000, 0, undefined, () => 0.999999)).toBeGreaterThanOrEqual(60_000 * (1 - JITTER))
  })

  it('doubles after each failure, up to 5 minutes (or the interval, when that is longer)', () => {
    const none = () => 0
    expect([1, 2, 3].map((failures) => nextDelay(10_000, failures, undefined, none))).toEqual([20_000, 40_000, 80_000])
    expect(nextDelay(10_000, 20, undefined, none)).toBe(MAX_BACKOFF_MS)
    expect(nextDelay(600_000, 3, undefined, none)).toBe(600_000)
  })

  it("never waits less than the server's Retry-After, and never longer than a day", () => {
    expect(nextDelay(1000, 1, 30_000, () => 0)).toBe(30_000)
    expect(nextDelay(1000, 1, 365 * 86_400_000, () => 0)).toBe(MAX_WAIT_MS)
  })
})

describe('startRefreshLoop', () => {
  it('reports a failure to onError, keeps going when onError itself throws, and stops for good on stop()', async () => {
    let calls = 0
    const reported: unknown[] = []
    const loop = startRefreshLoop({
      intervalMs: 20,
      refresh: async () => {
        calls += 1
        if (calls === 1) throw new Error('first refresh fails')
      },
      onError: (error) => {
        reported.push(error)
        throw new Error('and so does the handler')
      },
      retryAfterMs: () => undefined,
    })
    while (calls < 3) await new Promise((resolve) => setTimeout(resolve, 10))
    loop.stop()
    const stoppedAt = calls
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(calls).toBe(stoppedAt)
    expect(reported).toEqual([new Error('first refresh fails')])
  })
})
