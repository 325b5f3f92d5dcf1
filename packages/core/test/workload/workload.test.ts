import {describe, expect, it} from '@jest/globals'
import type {HttpRequest, HttpResponse, Transport} from '../../src/api/transport.js'
import {TransportError} from '../../src/api/transport.js'
import type {ResolvedSettings} from '../../src/config/settings.js'
import {BellaError, isBellaError} from '../../src/errors.js'
import {
  DEFAULT_K8S_TOKEN_PATH,
  decodeJwtClaims,
  detectWorkloadPlatform,
  githubTokenUrl,
  obtainOidcToken,
  registerWorkloadRenewal,
  renewingApiClient,
  resolveWorkloadCredentials,
} from '../../src/workload/index.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** Unsigned-looking JWT: the client never verifies signatures, the server does. */
const jwt = (claims: Record<string, unknown>) => `${b64({alg: 'RS256', typ: 'JWT'})}.${b64(claims)}.c2lnbmF0dXJl`
const KEY = `bax-${'ab'.repeat(16)}-${'cd'.repeat(32)}`
const GH_ENV = {ACTIONS_ID_TOKEN_REQUEST_URL: 'https://gh.example/token?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-token-123'}
const noFile = () => false

function settings(project?: string, environment?: string): ResolvedSettings {
  return {
    apiUrl: {value: 'http://127.0.0.1:9', source: 'env', origin: 'BELLA_BAXTER_URL'},
    project: project ? {value: project, source: 'env', origin: 'BELLA_BAXTER_PROJECT'} : undefined,
    environment: environment ? {value: environment, source: 'env', origin: 'BELLA_BAXTER_ENV'} : undefined,
    insecure: false,
    timeout: {value: 30, source: 'default', origin: 'default'},
  }
}

const reply = (status: number, body: unknown): HttpResponse => ({status, statusText: '', headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body)})

/** Answers GitHub's token URL and POST /api/v1/token; records every request. */
function fakeTransport(options: {oidc?: string; github?: HttpResponse; exchange?: HttpResponse} = {}) {
  const requests: HttpRequest[] = []
  const transport: Transport = async (req) => {
    requests.push(req)
    if (req.url.hostname === 'gh.example') return options.github ?? reply(200, {value: options.oidc ?? jwt({sub: 'repo:acme/shop:ref:refs/heads/main', aud: 'bella-baxter'})})
    if (req.url.pathname === '/api/v1/token') return options.exchange ?? reply(200, {token: KEY, expiresAt: '2030-01-01T00:00:00Z'})
    return reply(404, {})
  }
  return {transport, requests}
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (!isBellaError(error)) throw error
    return error
  }
  throw new Error('expected a failure')
}

describe('detectWorkloadPlatform', () => {
  it('detects GitHub Actions only with both variables, and it wins over Kubernetes', () => {
    expect(detectWorkloadPlatform(GH_ENV, {isFile: () => true})).toMatchObject({kind: 'github-actions', requestToken: 'req-token-123'})
    expect(detectWorkloadPlatform({ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x'}, {isFile: noFile})).toBeUndefined()
    expect(detectWorkloadPlatform({ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't'}, {isFile: noFile})).toBeUndefined()
  })

  it('detects Kubernetes by the token file, at the default path or BELLA_K8S_TOKEN_PATH', () => {
    const seen: string[] = []
    const isFile = (p: string) => (seen.push(p), true)
    expect(detectWorkloadPlatform({}, {isFile})).toMatchObject({kind: 'kubernetes', tokenPath: DEFAULT_K8S_TOKEN_PATH})
    expect(detectWorkloadPlatform({BELLA_K8S_TOKEN_PATH: '/tmp/token'}, {isFile})).toMatchObject({tokenPath: '/tmp/token', tokenPathOrigin: 'BELLA_K8S_TOKEN_PATH'})
    expect(seen).toEqual([DEFAULT_K8S_TOKEN_PATH, '/tmp/token'])
    expect(detectWorkloadPlatform({}, {isFile: noFile})).toBeUndefined()
  })

  it('BELLA_WORKLOAD_IDENTITY=off turns it off', () => {
    expect(detectWorkloadPlatform({...GH_ENV, BELLA_WORKLOAD_IDENTITY: 'off'}, {isFile: () => true})).toBeUndefined()
  })
})

describe('obtaining the OIDC token', () => {
  it('appends the audience the way the official clients do', () => {
    expect(githubTokenUrl('https://gh.example/t?api-version=2.0', 'bella-baxter').href).toBe('https://gh.example/t?api-version=2.0&audience=bella-baxter')
    expect(githubTokenUrl('https://gh.example/t', 'a b').href).toBe('https://gh.example/t?audience=a%20b')
  })

  it('GitHub: GET with the request token as bearer, reads {value}', async () => {
    const {transport, requests} = fakeTransport({oidc: 'x.y.z'})
    const platform = detectWorkloadPlatform(GH_ENV, {isFile: noFile})!
    expect(await obtainOidcToken(platform, {audience: 'bella-baxter', transport})).toBe('x.y.z')
    expect(requests[0]).toMatchObject({method: 'GET', headers: {Authorization: 'bearer req-token-123', Accept: 'application/json'}})
    expect(requests[0]!.url.searchParams.get('audience')).toBe('bella-baxter')
  })

  it('GitHub: a refusal says to grant id-token: write and never shows the request token', async () => {
    const {transport} = fakeTransport({github: reply(403, {message: 'nope'})})
    const error = await failure(obtainOidcToken(detectWorkloadPlatform(GH_ENV, {isFile: noFile})!, {audience: 'bella-baxter', transport}))
    expect(error.exitCode).toBe(3)
    expect(error.suggestions.join('\n')).toContain('id-token: write')
    expect(`${error.message}${error.suggestions}`).not.toContain('req-token-123')
  })

  it('GitHub: network failures are retried, then exit 4', async () => {
    let calls = 0
    const transport: Transport = async () => {
      calls++
      throw new TransportError('refused', 'ECONNREFUSED')
    }
    const error = await failure(obtainOidcToken(detectWorkloadPlatform(GH_ENV, {isFile: noFile})!, {audience: 'a', transport, sleep: async () => {}}))
    expect(calls).toBe(3)
    expect(error.exitCode).toBe(4)
  })

  it('Kubernetes: the file, trimmed; an empty file is an error', async () => {
    const platform = detectWorkloadPlatform({}, {isFile: () => true})!
    expect(await obtainOidcToken(platform, {audience: 'a', readFile: () => ' tok.en.x \n'})).toBe('tok.en.x')
    await expect(obtainOidcToken(platform, {audience: 'a', readFile: () => '\n'})).rejects.toThrow(/is empty/)
  })

  it('decodes claims without verifying, and rejects what is not a JWT', () => {
    expect(decodeJwtClaims(jwt({sub: 's'}))).toEqual({sub: 's'})
    expect(decodeJwtClaims('nope')).toBeUndefined()
    expect(decodeJwtClaims('a.!!.c')).toBeUndefined()
  })
})

describe('resolveWorkloadCredentials', () => {
  it('returns undefined when no platform is detected (nothing is requested)', async () => {
    const {transport, requests} = fakeTransport()
    expect(await resolveWorkloadCredentials({env: {}, settings: settings('shop', 'dev'), transport, isFile: noFile})).toBeUndefined()
    expect(requests).toHaveLength(0)
  })

  it('GitHub → exchange → an in-memory API key, announced once with the subject (never the token)', async () => {
    const oidc = jwt({sub: 'repo:acme/shop:ref:refs/heads/main', aud: ['bella-baxter']})
    const {transport, requests} = fakeTransport({oidc})
    const notices: string[] = []
    const credentials = await resolveWorkloadCredentials({
      env: GH_ENV,
      settings: settings('shop', 'dev'),
      transport,
      isFile: noFile,
      notice: (m) => notices.push(m),
    })
    expect(credentials).toMatchObject({kind: 'api-key', raw: KEY, keyId: 'ab'.repeat(16), source: 'workload-identity'})
    expect(credentials!.origin).toContain('GitHub Actions')
    const exchange = requests.find((r) => r.url.pathname === '/api/v1/token')!
    expect(exchange.method).toBe('POST')
    expect(JSON.parse(exchange.body!.toString())).toEqual({oidcToken: oidc, projectSlug: 'shop', environmentSlug: 'dev'})
    expect(exchange.headers['X-Bella-Signature']).toBeUndefined()
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('GitHub Actions workload identity (subject repo:acme/shop:ref:refs/heads/main)')
    expect(notices[0]).toContain('bax-abababab…')
    expect(notices[0]).not.toContain(oidc)
    expect(notices[0]).not.toContain('cd'.repeat(32))
  })

  it('needs a project and environment; says so without requesting anything', async () => {
    const {transport, requests} = fakeTransport()
    const error = await failure(resolveWorkloadCredentials({env: GH_ENV, settings: settings('shop'), transport, isFile: noFile}))
    expect(error).toMatchObject({code: 'not_authenticated', exitCode: 3})
    expect(error.message).toContain('GitHub Actions workload identity needs a project and an environment to ask for (no environment is set)')
    expect(requests).toHaveLength(0)
  })

  it('refuses to send a token meant for another audience (e.g. the Kubernetes API server)', async () => {
    const {transport, requests} = fakeTransport()
    const k8sToken = jwt({sub: 'system:serviceaccount:shop:api', aud: ['https://kubernetes.default.svc']})
    const error = await failure(
      resolveWorkloadCredentials({env: {}, settings: settings('shop', 'dev'), transport, isFile: () => true, readFile: () => k8sToken}),
    )
    expect(error).toMatchObject({code: 'workload_oidc_wrong_audience', exitCode: 3})
    expect(error.message).toContain('"https://kubernetes.default.svc"')
    expect(error.suggestions.join(' ')).toContain('BELLA_K8S_TOKEN_PATH')
    expect(requests).toHaveLength(0)
  })

  it('BELLA_OIDC_AUDIENCE changes the audience asked for and required', async () => {
    const {transport, requests} = fakeTransport({oidc: jwt({sub: 's', aud: 'custom'})})
    const credentials = await resolveWorkloadCredentials({env: {...GH_ENV, BELLA_OIDC_AUDIENCE: 'custom'}, settings: settings('p', 'e'), transport, isFile: noFile})
    expect(credentials?.kind).toBe('api-key')
    expect(requests[0]!.url.searchParams.get('audience')).toBe('custom')
  })

  it.each([
    [401, 3, 'workload_identity_refused'],
    [422, 3, 'workload_identity_untrusted'],
    [404, 1, 'workload_identity_not_found'],
  ])('a %i from the exchange is exit %i (%s) with the server\'s words', async (status, exitCode, code) => {
    const {transport} = fakeTransport({exchange: reply(status, {title: 'X', detail: 'the server says why'})})
    const error = await failure(resolveWorkloadCredentials({env: GH_ENV, settings: settings('shop', 'dev'), transport, isFile: noFile}))
    expect(error).toMatchObject({code, exitCode})
    expect(error.message).toContain('the server says why')
    expect(error.message).toContain('subject repo:acme/shop:ref:refs/heads/main')
    expect(error.suggestions.join(' ')).toContain('BELLA_BAXTER_API_KEY')
  })
})

describe('renewingApiClient', () => {
  const creds = (id: string) => ({kind: 'api-key' as const, raw: `bax-${id}-00`, keyId: id, source: 'workload-identity' as const, origin: 'test'})

  function harness(expiresInMs: number) {
    let now = new Date('2026-05-01T12:00:00Z')
    let n = 0
    const built: string[] = []
    const refused = new Set<string>()
    const first = creds('k0')
    const key = (c: ReturnType<typeof creds>) => ({credentials: c, obtainedAt: now, expiresAt: new Date(now.getTime() + expiresInMs)})
    registerWorkloadRenewal(key(first), async () => key(creds(`k${++n}`)))
    const api = renewingApiClient(
      first,
      (c) => {
        const id = c.kind === 'api-key' ? c.keyId : ''
        built.push(id)
        return {
          baseUrl: 'http://x',
          credentials: undefined,
          request: async <T>() => {
            if (refused.has(id)) throw new BellaError('auth', 'refused', {code: 'api_unauthorized'})
            return id as T
          },
        }
      },
      () => now,
    )
    return {api, built, refused, advance: (ms: number) => (now = new Date(now.getTime() + ms))}
  }

  it('leaves other credentials alone', () => {
    const client = {baseUrl: 'x', credentials: undefined, request: async <T>() => undefined as T}
    expect(renewingApiClient(creds('plain'), () => client)).toBe(client)
  })

  it('renews shortly before expiry (a tenth of the life, at most 5 minutes), once for concurrent requests', async () => {
    const h = harness(60 * 60_000)
    expect(await h.api.request({method: 'GET', path: '/'})).toBe('k0')
    h.advance(54 * 60_000)
    expect(await h.api.request({method: 'GET', path: '/'})).toBe('k0')
    h.advance(60_000)
    const answers = await Promise.all([h.api.request({method: 'GET', path: '/'}), h.api.request({method: 'GET', path: '/'})])
    expect(answers).toEqual(['k1', 'k1'])
    expect(h.built).toEqual(['k0', 'k1'])
  })

  it('renews and repeats the request once when the key is refused (401)', async () => {
    const h = harness(60 * 60_000)
    h.refused.add('k0')
    expect(await h.api.request({method: 'POST', path: '/'})).toBe('k1')
    h.refused.add('k1')
    h.refused.add('k2')
    await expect(h.api.request({method: 'GET', path: '/'})).rejects.toThrow('refused')
    expect(h.built).toEqual(['k0', 'k1', 'k2'])
  })
})
