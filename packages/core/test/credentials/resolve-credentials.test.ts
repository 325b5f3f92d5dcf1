import {describe, expect, it} from '@jest/globals'
import {resolveCredentials, resolveDeviceKey, type CredentialStore} from '../../src/credentials/index.js'
import {rejection} from '../helpers/errors.js'

const KEY = 'bax-0123abcd-' + 'ef'.repeat(32)
const OTHER_KEY = 'bax-99999999-' + '01'.repeat(32)

function memoryStore(backend: 'keychain' | 'file', values: Record<string, string> = {}): CredentialStore {
  return {
    backend,
    location: backend === 'file' ? '/home/u/.config/bella/credentials.json' : 'OS keychain (service "bella")',
    get: async (name) => values[name],
    set: async (name, value) => {
      values[name] = value
    },
    delete: async (name) => delete values[name],
  }
}

const neverOpened = async (): Promise<CredentialStore> => {
  throw new Error('the store must not be opened')
}

describe('resolveCredentials', () => {
  it('takes BELLA_BAXTER_API_KEY first, without opening the store', async () => {
    const credentials = await resolveCredentials({
      env: {BELLA_BAXTER_API_KEY: ` ${KEY}\n`, BELLA_BAXTER_ACCESS_TOKEN: 'tok'},
      store: neverOpened,
    })
    expect(credentials).toEqual({kind: 'api-key', raw: KEY, keyId: '0123abcd', source: 'env', origin: 'BELLA_BAXTER_API_KEY'})
  })

  it('takes BELLA_BAXTER_ACCESS_TOKEN next', async () => {
    const credentials = await resolveCredentials({
      env: {BELLA_BAXTER_API_KEY: '', BELLA_BAXTER_ACCESS_TOKEN: 'tok'},
      store: neverOpened,
    })
    expect(credentials).toEqual({kind: 'bearer', token: 'tok', source: 'env', origin: 'BELLA_BAXTER_ACCESS_TOKEN'})
  })

  it('then the key stored by bella login, naming the keychain', async () => {
    const store = memoryStore('keychain', {'api-key': OTHER_KEY})
    expect(await resolveCredentials({env: {}, store: async () => store})).toEqual({
      kind: 'api-key',
      raw: OTHER_KEY,
      keyId: '99999999',
      source: 'credential-store',
      origin: 'keychain',
    })
  })

  it('names the credentials file, under ~, for the file store', async () => {
    const store = memoryStore('file', {'api-key': OTHER_KEY})
    const credentials = await resolveCredentials({env: {HOME: '/home/u'}, store})
    expect(credentials?.origin).toBe('file ~/.config/bella/credentials.json')
  })

  it('is undefined when there is nothing anywhere', async () => {
    expect(await resolveCredentials({env: {}, store: memoryStore('file')})).toBeUndefined()
    expect(await resolveCredentials({env: {}})).toBeUndefined()
  })

  it('reports a malformed environment key by its variable name, never echoing it', async () => {
    const error = await rejection(resolveCredentials({env: {BELLA_BAXTER_API_KEY: 'secret-looking-value-123'}}))
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(/^BELLA_BAXTER_API_KEY is not a Bella API key/)
    expect(error.message).not.toContain('secret-looking-value-123')
  })

  it('reports a malformed stored key by where it is stored, suggesting a new login', async () => {
    const store = memoryStore('keychain', {'api-key': 'bax-abc-nothex'})
    const error = await rejection(resolveCredentials({env: {}, store}))
    expect(error.message).toMatch(/^the API key stored in keychain has a malformed secret/)
    expect(error.message).not.toContain('nothex')
    expect(error.suggestions.join(' ')).toContain('bella login')
  })
})

describe('resolveDeviceKey', () => {
  it('passes BELLA_BAXTER_PRIVATE_KEY through with its origin', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'
    expect(resolveDeviceKey({BELLA_BAXTER_PRIVATE_KEY: pem})).toEqual({
      value: pem,
      source: 'env',
      origin: 'BELLA_BAXTER_PRIVATE_KEY',
    })
  })

  it('is undefined when unset or empty', () => {
    expect(resolveDeviceKey({})).toBeUndefined()
    expect(resolveDeviceKey({BELLA_BAXTER_PRIVATE_KEY: ''})).toBeUndefined()
  })
})
