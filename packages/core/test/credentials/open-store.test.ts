import {afterEach, describe, expect, it} from '@jest/globals'
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {openCredentialStore, type OpenCredentialStoreOptions} from '../../src/credentials/index.js'
import {rejection} from '../helpers/errors.js'
import {tempDirs} from '../config/temp-dir.js'
import {fakeKeyring, type FakeKeyringBehaviour} from './fake-keyring.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const SECRET = 'bax-0123abcd-' + 'cd'.repeat(32)

function setup(behaviour: FakeKeyringBehaviour = {}, env: Record<string, string> = {}) {
  const home = dirs.make()
  const configDir = join(home, '.config', 'bella')
  const keyring = fakeKeyring(behaviour)
  const notices: string[] = []
  const options: OpenCredentialStoreOptions = {
    env: {HOME: home, ...env},
    configDir,
    notice: (message) => notices.push(message),
    loadKeyring: keyring.load,
    probeTimeoutMs: 100,
  }
  const recorded = () =>
    existsSync(join(configDir, 'config.json'))
      ? JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).credentialStore
      : undefined
  return {home, configDir, keyring, notices, options, recorded, credentialsFile: join(configDir, 'credentials.json')}
}

describe('openCredentialStore: choosing the backend', () => {
  it('chooses a keychain that accepts writes, and cleans up the probe', async () => {
    const t = setup()
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('keychain')
    expect(store.location).toMatch(/keychain/)
    expect(t.keyring.calls.slice(0, 3)).toEqual(['set bella-probe', 'get bella-probe', 'delete bella-probe'])
    expect(t.keyring.data.size).toBe(0)

    await store.set('api-key', SECRET)
    expect(t.keyring.data.get('bella/api-key')).toBe(SECRET)
    expect(await store.get('api-key')).toBe(SECRET)
    expect(await store.delete('api-key')).toBe(true)
    expect(await store.delete('api-key')).toBe(false)
    expect(t.notices).toEqual([])
    expect(existsSync(t.credentialsFile)).toBe(false)
  })

  it('does not choose a keychain whose reads work but whose writes throw', async () => {
    const t = setup({refuseWrites: true})
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('file')
    expect(store.location).toBe(t.credentialsFile)
  })

  it('falls back to the file with exactly one notice, saying where and why, never the secret', async () => {
    const t = setup({refuseWrites: true})
    const store = await openCredentialStore(t.options)
    expect(t.notices).toEqual([])
    await store.set('api-key', SECRET)
    await store.set('api-key', SECRET)
    expect(await store.get('api-key')).toBe(SECRET)
    expect(t.notices).toHaveLength(1)
    expect(t.notices[0]).toMatch(/^No usable OS keychain \(.*AccessDenied.*\); storing credentials in ~\/\.config\/bella\/credentials\.json \(mode 0600\)/)
    expect(t.notices[0]).not.toContain(SECRET)
    if (process.platform !== 'win32') expect(statSync(t.credentialsFile).mode & 0o777).toBe(0o600)
  })

  it('falls back to the file when the keychain module cannot be loaded', async () => {
    const t = setup()
    const store = await openCredentialStore({
      ...t.options,
      loadKeyring: async () => {
        throw new Error("Cannot find module '@napi-rs/keyring'")
      },
    })
    expect(store.backend).toBe('file')
    await store.set('api-key', SECRET)
    expect(t.notices).toHaveLength(1)
    expect(t.notices[0]).toContain('could not be loaded')
  })

  it('falls back when the probe hangs past its timeout', async () => {
    const t = setup({hangWrites: true})
    const started = Date.now()
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('file')
    expect(Date.now() - started).toBeLessThan(2000)
    await store.set('api-key', SECRET)
    expect(t.notices[0]).toContain('timed out')
  })

  it('BELLA_CREDENTIAL_STORE=file forces the file without loading the keychain, and without a fallback notice', async () => {
    const t = setup({}, {BELLA_CREDENTIAL_STORE: 'file'})
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('file')
    expect(t.keyring.loads).toBe(0)
    await store.set('api-key', SECRET)
    expect(t.notices).toEqual([])
    expect(JSON.parse(readFileSync(t.credentialsFile, 'utf8'))).toEqual({'api-key': SECRET})
  })

  it('BELLA_CREDENTIAL_STORE=keychain forces a working keychain', async () => {
    const t = setup({}, {BELLA_CREDENTIAL_STORE: 'keychain'})
    expect((await openCredentialStore(t.options)).backend).toBe('keychain')
  })

  it('BELLA_CREDENTIAL_STORE=keychain is an error when the keychain is unusable', async () => {
    const t = setup({refuseWrites: true}, {BELLA_CREDENTIAL_STORE: 'keychain'})
    const error = await rejection(openCredentialStore(t.options))
    expect(error.code).toBe('keychain_unavailable')
    expect(error.message).toContain('BELLA_CREDENTIAL_STORE=keychain')
    expect(error.suggestions.join(' ')).toContain('BELLA_CREDENTIAL_STORE=file')
  })

  it('rejects an unknown BELLA_CREDENTIAL_STORE as a usage error', async () => {
    const t = setup({}, {BELLA_CREDENTIAL_STORE: 'vault'})
    expect((await rejection(openCredentialStore(t.options))).exitCode).toBe(2)
  })
})

describe('openCredentialStore: remembering the backend', () => {
  it('records the backend on the first set, and later runs skip the probe', async () => {
    const t = setup({refuseWrites: true})
    const first = await openCredentialStore(t.options)
    expect(t.recorded()).toBeUndefined()
    await first.set('api-key', SECRET)
    expect(t.recorded()).toBe('file')

    const loadsBefore = t.keyring.loads
    const second = await openCredentialStore(t.options)
    expect(second.backend).toBe('file')
    expect(t.keyring.loads).toBe(loadsBefore)
    expect(await second.get('api-key')).toBe(SECRET)
  })

  it('records the keychain and reuses it without probing', async () => {
    const t = setup()
    await (await openCredentialStore(t.options)).set('api-key', SECRET)
    expect(t.recorded()).toBe('keychain')

    t.keyring.calls.length = 0
    const second = await openCredentialStore(t.options)
    expect(second.backend).toBe('keychain')
    expect(await second.get('api-key')).toBe(SECRET)
    expect(t.keyring.calls).toEqual(['get api-key'])
  })

  it('keeps unknown keys of config.json when recording', async () => {
    const t = setup({}, {BELLA_CREDENTIAL_STORE: 'file'})
    mkdirSync(t.configDir, {recursive: true})
    writeFileSync(join(t.configDir, 'config.json'), JSON.stringify({project: 'p', extra: 1}))
    await (await openCredentialStore(t.options)).set('api-key', SECRET)
    expect(JSON.parse(readFileSync(join(t.configDir, 'config.json'), 'utf8'))).toEqual({
      project: 'p',
      extra: 1,
      credentialStore: 'file',
    })
  })

  it('uses an existing credentials file without probing when nothing is recorded', async () => {
    const t = setup()
    mkdirSync(t.configDir, {recursive: true})
    writeFileSync(t.credentialsFile, JSON.stringify({'api-key': SECRET}), {mode: 0o600})
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('file')
    expect(t.keyring.loads).toBe(0)
    expect(await store.get('api-key')).toBe(SECRET)
  })

  it('falls back gracefully when the recorded keychain fails later', async () => {
    const t = setup({refuseAll: true})
    mkdirSync(t.configDir, {recursive: true})
    writeFileSync(join(t.configDir, 'config.json'), JSON.stringify({credentialStore: 'keychain'}))
    const store = await openCredentialStore(t.options)
    expect(store.backend).toBe('keychain')

    expect(await store.get('api-key')).toBeUndefined()
    expect(store.backend).toBe('file')
    expect(t.notices).toHaveLength(1)
    expect(t.notices[0]).toMatch(/not usable now \(.*AccessDenied.*\); using ~\/\.config\/bella\/credentials\.json/)

    await store.set('api-key', SECRET)
    expect(await store.get('api-key')).toBe(SECRET)
    expect(t.recorded()).toBe('file')
    expect(t.notices).toHaveLength(1)
  })
})
