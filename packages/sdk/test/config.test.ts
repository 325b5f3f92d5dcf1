/**
 * createBellaConfig against the emulator over loopback: a change is seen within one refresh
 * interval and onUpdate gets exactly the changed names; idle refreshes ask for the version only;
 * refused answers (plaintext, tampered, wrong key) and 429s keep the last good set, go to onError
 * and never into the app; Retry-After is waited out; destroy() stops all traffic.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest} from '@jest/globals'
import {createServer, request as httpRequest} from 'node:http'
import type {AddressInfo} from 'node:net'
import {startEmulator, type Emulator} from '../../../plugins/emulator/src/index.js'
import {createBellaConfig, isBellaError, type BellaConfig, type BellaConfigOptions, type SecretChanges} from '../src/index.js'
import {isFullFetch, isVersionPoll, namesOf, nextRequest, shop, sleep, startShop, until, VERSION_PATH, SECRETS_PATH} from './helpers.js'

let emulator: Emulator
const open: BellaConfig[] = []

beforeAll(async () => {
  emulator = await startShop()
})
afterEach(() => {
  for (const config of open.splice(0)) config.destroy()
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => {
  emulator.clearFaults()
  emulator.setSecrets(shop, {set: {A: 'one', B: 'two', C: 'three'}, unset: ['D']})
})

interface Observed {
  config: BellaConfig
  updates: SecretChanges[]
  errors: Error[]
}

async function load(extra: Pick<BellaConfigOptions, 'refreshInterval' | 'pollingInterval' | 'onUpdate' | 'onError'> = {}): Promise<Observed> {
  const updates: SecretChanges[] = []
  const errors: Error[] = []
  const config = await createBellaConfig({
    baxterUrl: emulator.url,
    apiKey: emulator.apiKey,
    env: {},
    refreshInterval: 1,
    onUpdate: (changes) => void updates.push(changes),
    onError: (error) => void errors.push(error),
    ...extra,
  })
  open.push(config)
  return {config, updates, errors}
}

describe('createBellaConfig', () => {
  it('loads the key\'s environment (keys/me), sees a change within one refresh interval, and onUpdate names exactly what changed', async () => {
    const {config, updates} = await load()
    expect(config.projectSlug).toBe('shop')
    expect(config.environmentSlug).toBe('dev')
    expect(config.get('A')).toBe('one')
    expect(config.getOrThrow('B')).toBe('two')

    const changedAt = Date.now()
    emulator.setSecrets(shop, {set: {A: 'uno', D: 'four'}, unset: ['C']})
    const changes = await until('onUpdate', () => updates[0])
    // Jitter only shortens a wait, so one interval (1 s) plus the request itself bounds it.
    expect(Date.now() - changedAt).toBeLessThan(1000 + 1500)
    expect(namesOf(changes)).toEqual({added: ['D'], changed: ['A'], removed: ['C']})
    expect(JSON.stringify(changes)).not.toContain('uno')
    expect(config.get('A')).toBe('uno')
    expect(config.get('C')).toBeUndefined()
    expect(config.getAll()).toMatchObject({A: 'uno', B: 'two', D: 'four'})
    expect(updates).toHaveLength(1)
  })

  it("onUpdate's argument is also the official SDK's array of changes, each with its key (and never a value)", async () => {
    const keys: string[][] = []
    await load({onUpdate: (changes) => void keys.push(changes.map((change) => change.key))})
    emulator.setSecrets(shop, {set: {A: 'uno-2f9d', D: 'four'}, unset: ['C']})
    const seen = await until('onUpdate', () => keys[0])
    expect([...seen].sort()).toEqual(['A', 'C', 'D'])
  })

  it('asks for the small version only while nothing changes, and fetches once when the version moves even if no value did', async () => {
    const {updates} = await load()
    emulator.clearRequests()
    await nextRequest(emulator, isVersionPoll)
    await nextRequest(emulator, isVersionPoll)
    expect(emulator.requests().filter(isFullFetch)).toHaveLength(0)

    const fetched = nextRequest(emulator, isFullFetch)
    emulator.setSecrets(shop, {bump: true})
    await fetched
    await nextRequest(emulator, isVersionPoll)
    expect(updates).toHaveLength(0)
  })

  it('sees a change that lands on the version it already has (a server reset): lastModified moved', async () => {
    const {config, updates} = await load()
    const version = config.version
    emulator.setSecrets(shop, {set: {B: 'restored'}, version})
    expect(namesOf(await until('onUpdate', () => updates[0]))).toEqual({added: [], changed: ['B'], removed: []})
    expect(config.get('B')).toBe('restored')
    expect(config.version).toBe(version)
  })

  it.each<[string, string]>([
    ['plaintext', 'e2ee-plaintext-response'],
    ['tamper', 'e2ee-decryption-failed'],
    ['wrong-key', 'e2ee-decryption-failed'],
  ])('refuses a %s answer (%s), keeps the last good set, reports it to onError, and recovers on the next refresh', async (mode, code) => {
    const {config, updates, errors} = await load()
    emulator.injectFault({type: 'e2ee', mode: mode as 'plaintext', pathPrefix: SECRETS_PATH, count: 1})
    emulator.setSecrets(shop, {set: {A: `after-${mode}`}})

    const error = await until('onError', () => errors[0])
    expect(isBellaError(error) && error.code).toBe(code)
    expect(config.get('A')).toBe('one')
    expect(updates).toHaveLength(0)
    expect(error.message).not.toContain(`after-${mode}`)

    await until('the refresh after the fault', () => updates[0])
    expect(config.get('A')).toBe(`after-${mode}`)
    expect(namesOf(updates[0]!)).toEqual({added: [], changed: ['A'], removed: []})
  })

  it('keeps the last good set through a malformed answer', async () => {
    const {config, errors} = await load()
    emulator.injectFault({type: 'payload', mode: 'secrets-null', pathPrefix: SECRETS_PATH, count: 1})
    emulator.setSecrets(shop, {set: {B: 'changed'}})
    const error = await until('onError', () => errors[0])
    expect(isBellaError(error) && error.code).toBe('api_invalid_response')
    expect(config.get('B')).toBe('two')
    await until('the next good refresh', () => (config.get('B') === 'changed' ? true : undefined))
  })

  it('waits out a 429\'s Retry-After before the next request, and never throws into the app', async () => {
    const {config, errors} = await load()
    emulator.injectFault({type: 'status', status: 429, retryAfter: 3, pathPrefix: VERSION_PATH, count: 1})
    const refused = await nextRequest(emulator, (r) => r.path === VERSION_PATH && r.status === 429)
    const after = await nextRequest(emulator, (r) => r.path === VERSION_PATH, 15_000)
    const gap = Date.parse(after.time) - Date.parse(refused.time)
    // Without Retry-After the first backoff would be about 2 s (twice the 1 s interval).
    expect(gap).toBeGreaterThanOrEqual(3000 - refused.durationMs)
    expect(errors).toHaveLength(1)
    expect(isBellaError(errors[0]) && errors[0].code).toBe('api_http_429')
    expect(config.get('A')).toBe('one')
  })

  it('backs off after failures and comes back when the server does', async () => {
    const {config, errors} = await load()
    emulator.injectFault({type: 'status', status: 500, pathPrefix: VERSION_PATH, count: 2})
    await until('two failures', () => (errors.length >= 2 ? true : undefined), 15_000)
    const requestsDuring = emulator.requests().filter((r) => r.path === VERSION_PATH && r.status === 500)
    expect(requestsDuring).toHaveLength(2)
    // Each failure was one request: the refresh loop, not core's in-call retries, decides when to try again.
    emulator.setSecrets(shop, {set: {A: 'back'}})
    await until('recovery', () => (config.get('A') === 'back' ? true : undefined), 15_000)
  })

  it('destroy() (and its alias close()) stops every request', async () => {
    for (const stop of ['destroy', 'close'] as const) {
      const {config} = await load()
      await nextRequest(emulator, isVersionPoll)
      config[stop]()
      emulator.clearRequests()
      await sleep(2500)
      expect(emulator.requests()).toHaveLength(0)
    }
  })

  it('treats __proto__ and constructor as secret names: get, getOrThrow, getAll (a null-prototype copy) and onUpdate', async () => {
    const {config, updates} = await load()
    expect(config.get('__proto__')).toBe('proto-value')
    expect(config.getOrThrow('constructor')).toBe('ctor-value')
    expect(config.get('toString')).toBeUndefined()
    expect(config.has('hasOwnProperty')).toBe(false)
    const all = config.getAll()
    expect(Object.getPrototypeOf(all)).toBeNull()
    expect(Object.getOwnPropertyDescriptor(all, '__proto__')?.value).toBe('proto-value')
    expect(all['constructor']).toBe('ctor-value')
    expect(() => config.getOrThrow('toString')).toThrow(/Secret "?toString"? is not in shop\/dev/)

    emulator.setSecrets(shop, {set: Object.fromEntries([['__proto__', 'proto-2']]), unset: ['constructor']})
    const changes = await until('onUpdate', () => updates[0])
    expect(namesOf(changes)).toEqual({added: [], changed: ['__proto__'], removed: ['constructor']})
    expect(config.get('__proto__')).toBe('proto-2')
    expect(config.get('constructor')).toBeUndefined()
    emulator.setSecrets(shop, {set: {constructor: 'ctor-value'}})
  })

  it('intoProcessEnv writes variable names and withholds the rest', async () => {
    emulator.setSecrets(shop, {set: {LD_PRELOAD: '/tmp/x.so', 'NOT-A-NAME': 'v'}})
    const {config} = await load({refreshInterval: 0})
    emulator.setSecrets(shop, {unset: ['LD_PRELOAD', 'NOT-A-NAME']})
    const before = process.env.LD_PRELOAD
    const result = config.intoProcessEnv()
    try {
      expect([...result.written].sort()).toEqual(['A', 'B', 'C', '__proto__', 'constructor'])
      expect([...result.withheld].sort()).toEqual(['LD_PRELOAD', 'NOT-A-NAME'])
      expect(process.env.A).toBe('one')
      expect(process.env.LD_PRELOAD).toBe(before)
    } finally {
      for (const name of result.written) delete process.env[name]
    }
  })

  it('a throwing onUpdate goes to onError and refreshing goes on', async () => {
    const {config, errors} = await load({
      onUpdate: () => {
        throw new Error('app bug')
      },
    })
    emulator.setSecrets(shop, {set: {A: 'x1'}})
    await until('onError', () => errors[0])
    expect(errors[0]!.message).toBe('app bug')
    emulator.setSecrets(shop, {set: {A: 'x2'}})
    await until('the next change', () => (config.get('A') === 'x2' ? true : undefined))
  })

  it('an onError that throws, for an async onUpdate that rejects, is not an unhandled rejection (which ends a Node app)', async () => {
    const unhandled: unknown[] = []
    const listener = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', listener)
    try {
      const seen: string[] = []
      const {config} = await load({
        onUpdate: async () => {
          throw new Error('async app bug')
        },
        onError: (error) => {
          seen.push(error.message)
          throw new Error('onError bug')
        },
      })
      emulator.setSecrets(shop, {set: {A: 'y1'}})
      await until('onError', () => seen[0])
      await sleep(100)
      expect(seen).toEqual(['async app bug'])
      expect(unhandled).toEqual([])
      emulator.setSecrets(shop, {set: {A: 'y2'}})
      await until('the next change', () => (config.get('A') === 'y2' ? true : undefined))
    } finally {
      process.off('unhandledRejection', listener)
    }
  })

  it('without onError, a failed refresh is one Warning line on stderr, naming the environment and never a value', async () => {
    const written: string[] = []
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    try {
      const config = await createBellaConfig({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, refreshInterval: 1})
      open.push(config)
      emulator.injectFault({type: 'e2ee', mode: 'plaintext', pathPrefix: SECRETS_PATH, count: 1})
      emulator.setSecrets(shop, {set: {A: 'not-shown-4f2a'}})
      const line = await until('the warning', () => written.find((text) => text.startsWith('Warning: ')))
      expect(line).toMatch(/^Warning: bella-sdk: could not refresh shop\/dev, the last good secrets stay in use: E2EE response expected but plaintext received .*\n$/)
      expect(written.join('')).not.toContain('not-shown-4f2a')
    } finally {
      spy.mockRestore()
    }
  })

  it("without onError, the Warning line escapes the server's control characters (no terminal escapes, no forged lines)", async () => {
    // A loopback proxy to the emulator that, once told, answers the version poll with a problem
    // whose text carries an ANSI sequence (and a carriage return, which core already flattens).
    let hostile = false
    const proxy = createServer((request, response) => {
      if (hostile && request.url === VERSION_PATH) {
        response.writeHead(404, {'content-type': 'application/problem+json'})
        return void response.end(JSON.stringify({title: 'Not Found', detail: 'gone\u001b[2J\u001b[31m\rWarning: forged'}))
      }
      const upstream = httpRequest(new URL(request.url!, emulator.url), {method: request.method, headers: request.headers}, (answer) => {
        response.writeHead(answer.statusCode!, answer.headers)
        answer.pipe(response)
      })
      request.pipe(upstream)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const written: string[] = []
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    try {
      const config = await createBellaConfig({baxterUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: emulator.apiKey, env: {}, refreshInterval: 1})
      open.push(config)
      hostile = true
      const line = await until('the warning', () => written.find((text) => text.startsWith('Warning: ')))
      expect(line).toContain('gone\\u001b[2J\\u001b[31m Warning: forged')
      expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f]/)
    } finally {
      spy.mockRestore()
      proxy.closeAllConnections()
      await new Promise((resolve) => proxy.close(resolve))
    }
  })

  it('leaves out a value still sealed at rest and tells onError once, naming the secret', async () => {
    emulator.setSecrets(shop, {set: {SEALED_ONE: 'bellabaxter:v1:c2VhbGVk'}})
    try {
      const {config, errors} = await load()
      expect(config.has('SEALED_ONE')).toBe(false)
      expect(config.get('A')).toBe('one')
      // Not "is not in shop/dev": it is there, and the operator must hear why the app lacks it.
      expect(() => config.getOrThrow('SEALED_ONE')).toThrow(expect.objectContaining({code: 'secret_sealed', message: expect.stringMatching(/SEALED_ONE .*still sealed/)}))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({code: 'sealed_values', message: expect.stringContaining('SEALED_ONE')})
      expect(errors[0]!.message).not.toContain('c2VhbGVk')
      emulator.setSecrets(shop, {set: {A: 'still-sealed-elsewhere'}})
      await until('the next change', () => (config.get('A') === 'still-sealed-elsewhere' ? true : undefined))
      expect(errors).toHaveLength(1)
    } finally {
      emulator.setSecrets(shop, {unset: ['SEALED_ONE']})
    }
  })

  it('a project-level key (keys/me names no environment) reads the environment given, taking the project from the key', async () => {
    const projectWide = await startEmulator({
      port: 0,
      seed: {keys: [{project: 'shop'}], projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: {A: 'wide'}}]}]}]},
    })
    try {
      const config = await createBellaConfig({baxterUrl: projectWide.url, apiKey: projectWide.apiKey, env: {}, environmentSlug: 'dev', refreshInterval: 0})
      expect([config.projectSlug, config.environmentSlug, config.get('A')]).toEqual(['shop', 'dev', 'wide'])
      await expect(createBellaConfig({baxterUrl: projectWide.url, apiKey: projectWide.apiKey, env: {}, refreshInterval: 0})).rejects.toMatchObject({
        code: 'no_target',
        message: expect.stringContaining('environment'),
      })
    } finally {
      await projectWide.close()
    }
  })

  it("takes the official SDK's pollingInterval (milliseconds) instead of refreshInterval, and never both", async () => {
    const base = {baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}}
    await expect(createBellaConfig({...base, refreshInterval: 1, pollingInterval: 1000})).rejects.toMatchObject({code: 'invalid_refresh_interval'})
    await expect(createBellaConfig({...base, pollingInterval: 500})).rejects.toMatchObject({code: 'invalid_refresh_interval'})
    const {config, updates} = await load({refreshInterval: undefined, pollingInterval: 1000})
    emulator.setSecrets(shop, {set: {D: 'four'}})
    const changes = await until('onUpdate after one pollingInterval', () => updates[0], 5000)
    expect(namesOf(changes)).toEqual({added: ['D'], changed: [], removed: []})
    expect(config.get('D')).toBe('four')
  })

  it('refuses a refreshInterval below 1 s, and a failed first load is thrown to the caller', async () => {
    await expect(createBellaConfig({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, refreshInterval: 0.2})).rejects.toMatchObject({
      code: 'invalid_refresh_interval',
    })
    await expect(
      createBellaConfig({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, projectSlug: 'shop', environmentSlug: 'nope'}),
    ).rejects.toMatchObject({code: 'api_not_found'})
  })
})
