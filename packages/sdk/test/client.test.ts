/**
 * createBaxterClient against the emulator over loopback: the official SDK's calls, each option's
 * precedence over its BELLA_BAXTER_* variable (an explicit accessToken is never signed over by an
 * API key from the environment), the fail-closed E2EE of a direct read, keyless workload identity
 * as the CLI does it, and SPEC's getSecrets()/onChange.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Emulator} from '../../../plugins/emulator/src/index.js'
import {createTestIssuer, mintJwt} from '../../../test/fixtures/oidc-tokens.js'
import {testTempDir} from '../../../test/helpers/temp.js'
import {createBaxterClient, isBellaError, type BaxterClient, type SecretChanges} from '../src/index.js'
import {namesOf, SECRETS_PATH, shop, startShop, TOKEN, UNKNOWN_KEY, until} from './helpers.js'

const K8S = createTestIssuer('https://kubernetes.default.svc.cluster.local', 'ES256')
const K8S_SUBJECT = 'system:serviceaccount:shop:checkout'
/** No workload platform on this machine may matter to these tests. */
const noPlatform = {BELLA_K8S_TOKEN_PATH: join(testTempDir('bella-sdk-no-token-'), 'none')}
const refused = 'http://127.0.0.1:1'

let emulator: Emulator
const clients: BaxterClient[] = []

beforeAll(async () => {
  emulator = await startShop({oidc: [{issuer: K8S.issuer, publicKey: K8S.publicKeyPem, trust: [{project: 'shop', environment: 'dev', subject: K8S_SUBJECT}]}]})
})
afterEach(() => {
  emulator.clearFaults()
  for (const client of clients.splice(0)) client.close()
})
afterAll(async () => {
  await emulator.close()
})

async function client(options: Parameters<typeof createBaxterClient>[0]): Promise<BaxterClient> {
  const created = await createBaxterClient(options)
  clients.push(created)
  return created
}

const read = async (c: BaxterClient) => (await c.getAllSecrets('shop', 'dev')).secrets['A']

describe('createBaxterClient: the calls', () => {
  it('discoverContext, getSecretsVersion and getAllSecrets (null-prototype secrets, __proto__ included)', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}})
    expect(await c.discoverContext()).toMatchObject({projectSlug: 'shop', environmentSlug: 'dev', role: 'CONSUMER'})
    const version = await c.getSecretsVersion('shop', 'dev')
    expect(typeof version.version).toBe('number')
    const all = await c.getAllSecrets('shop', 'dev')
    expect(all.version).toBe(version.version)
    expect(Object.getPrototypeOf(all.secrets)).toBeNull()
    expect(Object.getOwnPropertyDescriptor(all.secrets, '__proto__')?.value).toBe('proto-value')
    expect(all.secrets['toString']).toBeUndefined()
  })

  it('a direct read refuses a plaintext answer to an encrypted request, like the CLI', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}})
    emulator.injectFault({type: 'e2ee', mode: 'plaintext', pathPrefix: SECRETS_PATH, count: 1})
    await expect(c.getAllSecrets('shop', 'dev')).rejects.toMatchObject({code: 'e2ee-plaintext-response'})
  })

  it('decrypts with the privateKey option (a P-256 PKCS#8 PEM), which wins over BELLA_BAXTER_PRIVATE_KEY', async () => {
    const pem = generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, privateKey: pem, env: {BELLA_BAXTER_PRIVATE_KEY: 'not a key'}})
    expect(await read(c)).toBeDefined()
    await expect(createBaxterClient({baxterUrl: emulator.url, apiKey: emulator.apiKey, privateKey: 'garbage', env: {}})).rejects.toMatchObject({
      code: 'invalid_device_key',
      message: expect.stringContaining('the privateKey option'),
    })
  })

  it('timeout (ms) bounds a call, retries included', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, timeout: 400})
    emulator.injectFault({type: 'delay', delayMs: 3000, pathPrefix: SECRETS_PATH, count: 1})
    await expect(c.getAllSecrets('shop', 'dev')).rejects.toMatchObject({code: 'api_deadline_exceeded'})
    await expect(createBaxterClient({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, timeout: -1})).rejects.toMatchObject({code: 'invalid_timeout'})
  })
  it('after destroy(), a call in flight and a new call reject with a BellaError that says so (code client_destroyed)', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}})
    emulator.injectFault({type: 'delay', delayMs: 3000, pathPrefix: SECRETS_PATH, count: 1})
    const inFlight = c.getAllSecrets('shop', 'dev')
    const first = c.getSecrets()
    await until('the held request', () => (emulator.requests().some((r) => r.path === SECRETS_PATH) ? true : undefined))
    c.destroy()
    const settled = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e)
    for (const error of await Promise.all([inFlight, first, c.getSecretsVersion('shop', 'dev'), c.discoverContext()].map(settled))) {
      expect(isBellaError(error)).toBe(true)
      expect(error).toMatchObject({code: 'client_destroyed', message: expect.stringContaining('destroy()')})
    }
  })
})

describe('createBaxterClient: slugs', () => {
  it('refuses "." and ".." as a project or environment slug: the URL would resolve them, asking another endpoint', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}})
    emulator.clearRequests()
    for (const call of [() => c.getAllSecrets('shop', '..'), () => c.getSecretsVersion('..', 'dev'), () => c.getAllSecrets('.', 'dev')]) {
      await expect(call()).rejects.toMatchObject({code: 'invalid_path_segment', message: expect.stringMatching(/"\.\.?"/)})
    }
    expect(emulator.requests()).toEqual([])
  })
})

describe('createBaxterClient: an option always wins over the environment', () => {
  it('an explicit accessToken is used as is, never signed over by BELLA_BAXTER_API_KEY', async () => {
    // The variable's key is unknown to the server: had it been used, the read would be a 401.
    const unknown = await client({baxterUrl: emulator.url, env: {BELLA_BAXTER_API_KEY: UNKNOWN_KEY}})
    await expect(read(unknown)).rejects.toMatchObject({code: 'api_unauthorized'})
    const c = await client({baxterUrl: emulator.url, accessToken: TOKEN, env: {BELLA_BAXTER_API_KEY: UNKNOWN_KEY}})
    expect(await read(c)).toBe('one')
  })

  it('an explicit apiKey wins over BELLA_BAXTER_API_KEY and BELLA_BAXTER_ACCESS_TOKEN', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {BELLA_BAXTER_API_KEY: UNKNOWN_KEY, BELLA_BAXTER_ACCESS_TOKEN: 'wrong'}})
    expect(await read(c)).toBe('one')
  })

  it('an appClient or access token that cannot be a header value is refused up front, naming where it came from, never echoing a token', async () => {
    const target = {baxterUrl: emulator.url, projectSlug: 'shop', environmentSlug: 'dev'}
    for (const [options, code, origin] of [
      [{apiKey: emulator.apiKey, appClient: 'app\r\nX-Injected: 1', env: {}}, 'invalid_app_client', 'the appClient option'],
      [{apiKey: emulator.apiKey, env: {BELLA_BAXTER_APP_CLIENT: 'shop 🚀'}}, 'invalid_app_client', 'BELLA_BAXTER_APP_CLIENT'],
      [{accessToken: 'tok\u2028secret-9d1c', env: {}}, 'invalid_access_token', 'the accessToken option'],
      [{env: {BELLA_BAXTER_ACCESS_TOKEN: 'tok secret-9d1c 🚀'}}, 'invalid_access_token', 'BELLA_BAXTER_ACCESS_TOKEN'],
    ] as const) {
      const error: unknown = await createBaxterClient({...target, ...options}).then(() => undefined, (e: unknown) => e)
      expect(isBellaError(error)).toBe(true)
      expect(error).toMatchObject({code, message: expect.stringContaining(origin)})
      expect(JSON.stringify({...(error as object), message: (error as Error).message})).not.toContain('secret-9d1c')
    }
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, appClient: 'checkout café', env: {}})
    expect(await read(c)).toBe('one')
  })

  it('baxterUrl wins over BELLA_BAXTER_URL; without options the variables are used', async () => {
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {BELLA_BAXTER_URL: refused}})
    expect(await read(c)).toBe('one')
    const fromEnv = await client({env: {BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_ACCESS_TOKEN: TOKEN}})
    expect(fromEnv.baxterUrl).toBe(emulator.url)
    expect(await read(fromEnv)).toBe('one')
  })

  it('refuses both apiKey and accessToken, a malformed key (naming the option, never echoing it), no credentials, and plain http to another host', async () => {
    await expect(createBaxterClient({baxterUrl: emulator.url, apiKey: emulator.apiKey, accessToken: TOKEN, env: {}})).rejects.toMatchObject({code: 'conflicting_credentials'})
    const bad = await createBaxterClient({baxterUrl: emulator.url, apiKey: 'bax-secretish', env: {}}).catch((error: Error) => error)
    expect(bad).toMatchObject({code: 'invalid_api_key', message: expect.stringContaining('the apiKey option')})
    expect((bad as Error).message).not.toContain('secretish')
    await expect(createBaxterClient({baxterUrl: emulator.url, env: noPlatform})).rejects.toMatchObject({code: 'not_authenticated'})
    await expect(createBaxterClient({baxterUrl: 'http://bella.example.com', apiKey: emulator.apiKey, env: {}})).rejects.toMatchObject({code: 'insecure_api_url'})
    const insecure = await client({baxterUrl: 'http://bella.example.com', apiKey: emulator.apiKey, env: {}, insecure: true})
    expect(insecure.baxterUrl).toBe('http://bella.example.com')
  })
})

describe('createBaxterClient: keyless and getSecrets', () => {
  it('with no key or token, exchanges a Kubernetes service-account token (workload identity) for a short-lived key', async () => {
    const tokenPath = join(testTempDir('bella-sdk-k8s-'), 'token')
    writeFileSync(tokenPath, mintJwt(K8S, {sub: K8S_SUBJECT}), {mode: 0o600})
    const c = await client({baxterUrl: emulator.url, projectSlug: 'shop', environmentSlug: 'dev', env: {BELLA_K8S_TOKEN_PATH: tokenPath}})
    expect(await read(c)).toBe('one')
    expect(emulator.requests().some((r) => r.path === '/api/v1/token' && r.status === 200)).toBe(true)
  })

  it('getSecrets() serves the current set and onChange hears of a change (SPEC\'s shape)', async () => {
    const changes: SecretChanges[] = []
    const c = await client({baxterUrl: emulator.url, apiKey: emulator.apiKey, env: {}, refreshInterval: 1, onChange: (change) => void changes.push(change)})
    expect((await c.getSecrets())['B']).toBe('two')
    emulator.setSecrets(shop, {set: {B: 'deux'}})
    expect(namesOf(await until('onChange', () => changes[0]))).toEqual({added: [], changed: ['B'], removed: []})
    expect((await c.getSecrets())['B']).toBe('deux')
    emulator.setSecrets(shop, {set: {B: 'two'}})
  })
})
