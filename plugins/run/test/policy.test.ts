import {describe, expect, it} from '@jest/globals'
import {authError, isBellaError, unreachableError} from '@bella/core/runtime'
import {
  changedNames,
  CheckHealth,
  crashBackoff,
  describeNames,
  failureDelay,
  formatDuration,
  jittered,
  sameEnv,
  WATCH,
  watchSettings,
} from '../src/watch/policy.js'

const usage = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(isBellaError(error) && error.exitCode).toBe(2)
    return (error as Error).message
  }
  throw new Error('expected a usage error')
}

describe('watchSettings', () => {
  it('defaults to a 30 s interval and a 10 s kill timeout', () => {
    expect(watchSettings({})).toEqual({pollIntervalMs: 30_000, killTimeoutMs: 10_000})
  })

  it('accepts the minimum interval and a zero kill timeout', () => {
    expect(watchSettings({pollIntervalS: 5, killTimeoutS: 0})).toEqual({pollIntervalMs: 5000, killTimeoutMs: 0})
  })

  it.each([4, 0, -1, 1.5, 86_401])('refuses --poll-interval %p with a usage error naming the minimum', (value) => {
    expect(usage(() => watchSettings({pollIntervalS: value}))).toMatch(/--poll-interval must be a whole number of seconds from 5 to/)
  })

  it.each([-1, 3601, 0.5])('refuses --kill-timeout %p', (value) => {
    expect(usage(() => watchSettings({killTimeoutS: value}))).toMatch(/--kill-timeout/)
  })
})

describe('timing', () => {
  it('jitter only shortens: 80-100 % of the interval', () => {
    expect(jittered(5000, () => 0)).toBe(4000)
    expect(jittered(5000, () => 0.999999)).toBe(5000)
    expect(jittered(5000, () => 0.5)).toBe(4500)
    for (let i = 0; i < 1000; i++) {
      const d = jittered(30_000, Math.random)
      expect(d).toBeGreaterThanOrEqual(24_000)
      expect(d).toBeLessThanOrEqual(30_000)
    }
  })

  it('API failures back off from the interval, doubling, capped at 5 min', () => {
    const max = () => 0.999999
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => failureDelay(n, 5000, max))).toEqual([
      5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ])
    // An interval longer than the cap is never shortened below the interval's jitter range.
    expect(failureDelay(5, 600_000, max)).toBe(600_000)
    expect(failureDelay(1, 5000, () => 0)).toBe(4000)
  })

  it('crash restarts wait 1 s, 2 s, 4 s …, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(crashBackoff)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    expect(WATCH.crashRetries).toBe(3)
  })

  it('a single change stays within interval + 1 s of budget before the fetch', () => {
    expect(WATCH.settleMs * WATCH.settleChecks).toBeLessThanOrEqual(1000)
  })

  it('formats durations for messages', () => {
    expect([250, 1000, 1500, 5000, 10_000, 90_000, 300_000, 7_500_000].map(formatDuration)).toEqual([
      '250 ms', '1 s', '1.5 s', '5 s', '10 s', '90 s', '5 min', '2 h 5 min',
    ])
  })
})

describe('what changed', () => {
  it('names added, changed and removed keys, sorted, never values', () => {
    expect(changedNames({A: '1', B: '2', C: '3'}, {A: '1', B: 'x', D: '4'})).toEqual(['B', 'C', 'D'])
    expect(changedNames({A: '1'}, {A: '1'})).toEqual([])
  })

  it('compares environments exactly', () => {
    expect(sameEnv({A: '1', B: '2'}, {B: '2', A: '1'})).toBe(true)
    expect(sameEnv({A: '1'}, {A: '1', B: ''})).toBe(false)
    expect(sameEnv({A: ''}, {B: ''})).toBe(false)
  })

  it('describes names, quoting hostile ones, and truncates long lists', () => {
    expect(describeNames(['A'])).toBe('1 key: A')
    expect(describeNames(['A', 'bad\nname'])).toBe('2 keys: A, "bad\\nname"')
    expect(describeNames(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'])).toBe('8 keys: A, B, C, D, E, F, +2 more')
  })
})

describe('CheckHealth: report once, then once on recovery', () => {
  it('says it once per kind of failure and once when it recovers', () => {
    const health = new CheckHealth()
    const down = unreachableError('Could not get an answer from the Bella API at http://x (503 Service Unavailable)', {code: 'api_http_503'})
    const first = health.failed(down, 5000, 0)
    expect(first).toMatch(/^bella: cannot check for secret changes: Could not get an answer .*503.*; the command keeps running on the secrets it has; next check in 5 s/)
    expect(health.failed(down, 10_000, 5000)).toBeUndefined()
    expect(health.failed(down, 20_000, 15_000)).toBeUndefined()
    expect(health.failures).toBe(3)

    const refused = authError('The Bella API refused GET /x (401 Unauthorized)', {code: 'api_unauthorized', suggestions: ['run `bella login`']})
    expect(health.failed(refused, 40_000, 35_000)).toMatch(
      /^bella: checks still failing, now: the Bella API refused bella's API key: it was most likely revoked or expired \(.*401.*\); the command keeps running .*bella api-keys create.*every 40 s/,
    )
    expect(health.failed(refused, 40_000, 75_000)).toBeUndefined()

    expect(health.succeeded(80_000)).toBe('bella: the Bella API answers again after 5 failed checks over 80 s; watching for changes')
    expect(health.succeeded(90_000)).toBeUndefined()
    expect(health.failed(down, 5000, 100_000)).toMatch(/^bella: cannot check/)
  })
})

describe('CheckHealth: a clock too far from the server\'s', () => {
  it('says the clock is the cause and how to fix it, not that the key was revoked', () => {
    const skew = authError("The Bella API refused GET /x (401 Unauthorized): this machine's clock is 1200 s behind the server's", {
      code: 'api_clock_skew',
      suggestions: ['fix the clock (NTP)'],
    })
    const line = new CheckHealth().failed(skew, 25_000, 0)
    expect(line).toMatch(/^bella: cannot check for secret changes: .*clock is 1200 s behind.*the command keeps running.*to fix it, fix the clock \(NTP\)/)
    expect(line).not.toMatch(/revoked/)
  })
})
