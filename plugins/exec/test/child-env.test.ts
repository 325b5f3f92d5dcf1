import {describe, expect, it} from '@jest/globals'
import type {ResolvedCredentials} from '@bella/core'
import {bellaVariables, databaseVariables, execChildEnv, expiryOf, type DatabaseCredentials} from '../src/index.js'

const apiKey: ResolvedCredentials = {kind: 'api-key', raw: 'bax-abc-00ff', keyId: 'abc', source: 'env', origin: 'BELLA_BAXTER_API_KEY'}
const bearer: ResolvedCredentials = {kind: 'bearer', token: 't0k', source: 'env', origin: 'BELLA_BAXTER_ACCESS_TOKEN'}

const credentials: DatabaseCredentials = {
  username: 'bella_ro_0123456789',
  password: 'p@ss:w%rd',
  expiresAt: '2030-01-02T03:04:05+01:00',
  leaseDurationSeconds: 60,
  leaseId: 'lease-1',
  connectionUrl: 'postgresql://bella_ro_0123456789:p%40ss%3Aw%25rd@127.0.0.1:5432/app',
}

describe('the environment of the command', () => {
  it('keeps an inherited variable named __proto__ (names are data)', () => {
    const env = execChildEnv({inherited: Object.fromEntries([['__proto__', 'x'], ['constructor', 'c']]), add: {}})
    expect(Object.entries(env)).toEqual([['__proto__', 'x'], ['constructor', 'c']])
  })

  it('drops every inherited BELLA_* variable and adds what exec hands over', () => {
    const env = execChildEnv({
      inherited: {PATH: '/bin', HOME: '/h', BELLA_BAXTER_API_KEY: 'old', BELLA_BAXTER_PRIVATE_KEY: 'pem', BELLA_API_URL: 'x', BELLA_anything: 'y', bella_lower: 'kept', DB_USERNAME: 'old', UNSET: undefined},
      add: {...bellaVariables({url: 'http://127.0.0.1:5522', credentials: apiKey}), ...databaseVariables(credentials)},
    })
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/h',
      bella_lower: 'kept',
      BELLA_BAXTER_URL: 'http://127.0.0.1:5522',
      BELLA_BAXTER_API_KEY: 'bax-abc-00ff',
      DB_USERNAME: 'bella_ro_0123456789',
      DB_PASSWORD: 'p@ss:w%rd',
      DB_CREDENTIALS_EXPIRES_AT: '2030-01-02T02:04:05.000Z',
      DATABASE_URL: credentials.connectionUrl,
    })
  })

  it('can remove a stale inherited variable', () => {
    expect(execChildEnv({inherited: {DATABASE_URL: 'postgres://old', A: '1'}, add: {}, remove: ['DATABASE_URL']})).toEqual({A: '1'})
  })

  it('API-key mode: URL and key only; bearer mode: URL, token, and project/environment when known', () => {
    expect(bellaVariables({url: 'u', credentials: apiKey, project: 'p', environment: 'e'})).toEqual({BELLA_BAXTER_URL: 'u', BELLA_BAXTER_API_KEY: 'bax-abc-00ff'})
    expect(bellaVariables({url: 'u', credentials: bearer, project: 'p', environment: 'e'})).toEqual({
      BELLA_BAXTER_URL: 'u',
      BELLA_BAXTER_ACCESS_TOKEN: 't0k',
      BELLA_BAXTER_PROJECT: 'p',
      BELLA_BAXTER_ENV: 'e',
    })
    expect(bellaVariables({url: 'u', credentials: bearer})).toEqual({BELLA_BAXTER_URL: 'u', BELLA_BAXTER_ACCESS_TOKEN: 't0k'})
  })

  it('sets DATABASE_URL only when the server gave one', () => {
    expect(databaseVariables({...credentials, connectionUrl: null})).not.toHaveProperty('DATABASE_URL')
  })

  it('expiry: the server time as ISO-8601 UTC, else now + lease length', () => {
    expect(expiryOf({expiresAt: '2030-01-01T00:00:00Z', leaseDurationSeconds: 5})).toBe('2030-01-01T00:00:00.000Z')
    expect(expiryOf({expiresAt: 'soon', leaseDurationSeconds: 90}, new Date('2030-01-01T00:00:00Z'))).toBe('2030-01-01T00:01:30.000Z')
  })
})
