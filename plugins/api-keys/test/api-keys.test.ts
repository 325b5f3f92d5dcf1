import {describe, expect, it} from '@jest/globals'
import {isBellaError} from '@bella/core'
import {parseCreateRequest, replacementLifetimeDays} from '../src/api-keys-service.js'
import {keyStatus, lastUsed, renderKeyTable} from '../src/key-table.js'
import type {ApiKeyResponse} from '../src/types.js'
import {keyResponse} from './key-fixture.js'

const NOW = new Date('2026-05-01T12:00:00Z')

const key = keyResponse

describe('renderKeyTable', () => {
  it('fits 80 columns, shortens ids and long names, and shows status', () => {
    const table = renderKeyTable(
      [
        key(),
        key({id: 'aaaaaaaa-0000-4000-8000-000000000000', clientName: 'a-very-long-service-name-that-does-not-fit', lastUsedAt: '2026-05-01T09:00:00Z'}),
        key({id: 'bbbbbbbb-0000-4000-8000-000000000000', revokedAt: '2026-05-01T11:30:00Z', isActive: false}),
        key({id: 'cccccccc-0000-4000-8000-000000000000', expiresAt: '2026-04-01T00:00:00Z', isExpired: true}),
        key({id: 'dddddddd-0000-4000-8000-000000000000', expiresAt: null}),
      ],
      {now: NOW},
    )
    const lines = table.split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    expect(lines[0]).toMatch(/^ID {8}NAME +PREFIX +CREATED +LAST USED +EXPIRES +STATUS$/)
    expect(lines[1]).toMatch(/^1f3c9a2b  ci-deploy +bax-1f3c9a2b  2026-05-01  never +2026-07-30  active$/)
    expect(lines[2]).toMatch(/^aaaaaaaa  a-very-lon\S*… .* 3h ago .* active$/)
    expect(lines[3]).toMatch(/revoked$/)
    expect(lines[4]).toMatch(/expired$/)
    expect(lines[5]).toMatch(/ never +active$/)
  })

  it('uses a wider terminal for names, and strips control characters', () => {
    const table = renderKeyTable([key({clientName: 'a-very-long-service-name-that-does-not-fit\u001b[31m'})], {width: 140, now: NOW})
    expect(table).toContain('a-very-long-service-name-that-does-not-fit?[31m')
    expect(table).not.toContain('\u001b')
  })

  it('keyStatus and lastUsed', () => {
    expect(keyStatus(key({isActive: false}), NOW)).toBe('disabled')
    expect(keyStatus(key({expiresAt: '2026-05-01T11:59:59Z'}), NOW)).toBe('expired')
    expect(lastUsed('2026-05-01T11:59:30Z', NOW)).toBe('just now')
    expect(lastUsed('2026-05-01T11:15:00Z', NOW)).toBe('45m ago')
    expect(lastUsed('2026-04-20T12:00:00Z', NOW)).toBe('11d ago')
    expect(lastUsed('2025-01-01T00:00:00Z', NOW)).toBe('2025-01-01')
  })
})

describe('parseCreateRequest', () => {
  it('builds CreateApiKeyRequest', () => {
    expect(parseCreateRequest({name: ' ci ', description: ' deploys ', expiresInDays: 90})).toEqual({clientName: 'ci', description: 'deploys', expiresInDays: 90})
    expect(parseCreateRequest({name: 'ci', role: 'CONSUMER'})).toEqual({clientName: 'ci', description: null, expiresInDays: null, role: 'CONSUMER'})
  })

  it.each([[{name: ''}], [{name: 'x', expiresInDays: 0}], [{name: 'x', expiresInDays: 3651}], [{name: 'x', role: ' '}]])('rejects %j with exit 2', (flags) => {
    try {
      parseCreateRequest(flags)
      throw new Error('expected an error')
    } catch (error) {
      expect(isBellaError(error) && error.exitCode).toBe(2)
    }
  })
})

describe('replacementLifetimeDays', () => {
  it("is the old key's lifetime in whole days, at least 1; null without expiry", () => {
    expect(replacementLifetimeDays({createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-03-31T00:00:00Z'})).toBe(89)
    expect(replacementLifetimeDays({createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:15:00Z'})).toBe(1)
    expect(replacementLifetimeDays({createdAt: '2026-01-01T00:00:00Z', expiresAt: null})).toBeNull()
  })
})
