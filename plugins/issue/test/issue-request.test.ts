import {describe, expect, it} from '@jest/globals'
import {isBellaError} from '@bella/core'
import {DEFAULT_REASON, DEFAULT_TTL_MINUTES, parseIssueRequest} from '../src/issue-service.js'

function usage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isBellaError(error) && error.exitCode === 2) return error.message
    throw error
  }
  throw new Error('expected a usage error')
}

describe('parseIssueRequest', () => {
  it('splits, trims and de-duplicates scopes; defaults ttl and reason', () => {
    expect(parseIssueRequest({scope: [' stripe , provider:aws', 'stripe']})).toEqual({
      scopes: ['stripe', 'provider:aws'],
      ttlMinutes: DEFAULT_TTL_MINUTES,
      reason: DEFAULT_REASON,
    })
    expect(parseIssueRequest({scope: ['a'], ttl: '480', reason: 'job 7'})).toEqual({scopes: ['a'], ttlMinutes: 480, reason: 'job 7'})
    expect(parseIssueRequest({scope: ['a'], ttl: '1'}).ttlMinutes).toBe(1)
  })

  it.each([[['']], [[' ']], [['a,,b']], [['a,']], [[',a']], [['a', '']], [[]]])('rejects the scope list %j', (scope) => {
    expect(usage(() => parseIssueRequest({scope}))).toMatch(/--scope/)
  })

  it.each(['0', '481', '-1', '1.5', '15m', '', ' ', '1e2', '0x10'])('rejects --ttl %j', (ttl) => {
    expect(usage(() => parseIssueRequest({scope: ['a'], ttl}))).toMatch(/--ttl must be a whole number of minutes from 1 to 480/)
  })

  it('rejects an empty reason', () => {
    expect(usage(() => parseIssueRequest({scope: ['a'], reason: '  '}))).toMatch(/--reason/)
  })
})
