/**
 * Keyless workload identity: POST /api/v1/token verifies an OIDC JWT against the seed's issuers
 * (RS256 and ES256), maps its claims to a project/environment by the trust rules, and hands out a
 * short-lived key. Responses are validated against contract/openapi.json.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {createPublicKey} from 'node:crypto'
import {parseSeedYaml, resolveSeed, startEmulator, type Emulator, type EmulatorSeed} from '../src/index.js'
import {describeErrors, responseSchemaPointer, responseValidator, undeclaredProperties} from './helpers/openapi-validator.js'
import {createTestIssuer, mintJwt} from './helpers/oidc-tokens.js'
import {send, type TestResponse} from './helpers/signed-request.js'

const GITHUB = createTestIssuer('https://token.actions.example.test', 'RS256')
const K8S = createTestIssuer('https://kubernetes.default.svc.cluster.local', 'ES256', 'k8s-1')
const STRANGER = createTestIssuer('https://token.actions.example.test', 'RS256')
const DEV_ID = '31111111-2222-4333-8444-666666666666'

const seed = (): EmulatorSeed => ({
  oidc: [
    {
      issuer: GITHUB.issuer,
      publicKey: GITHUB.publicKeyPem,
      trust: [
        {project: 'shop', environment: 'dev', subject: 'repo:acme/shop:*', claims: {repository_owner: 'acme'}, ttlMinutes: 30},
        {project: 'shop', environment: 'prod', subject: 'repo:acme/shop:environment:production', role: 'CONSUMER'},
      ],
    },
    {
      issuer: K8S.issuer,
      audience: 'bella',
      publicKey: {...(createPublicKey(K8S.publicKeyPem).export({format: 'jwk'}) as Record<string, unknown>), kid: 'k8s-1'},
      trust: [{project: 'shop', environment: 'dev', subject: 'system:serviceaccount:shop:api'}],
    },
  ],
  projects: [{slug: 'shop', environments: [{slug: 'dev', id: DEV_ID, providers: [{slug: 'v', secrets: {A: '1'}}]}, {slug: 'prod'}]}],
})

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: seed()})
})
afterAll(() => emulator.close())

const exchange = (body: unknown) => send({url: emulator.url, apiKey: ''}, {apiKey: null, method: 'POST', path: '/api/v1/token', body: JSON.stringify(body)})
const ghToken = (claims: Record<string, unknown> = {}, options = {}) =>
  mintJwt(GITHUB, {sub: 'repo:acme/shop:ref:refs/heads/main', repository_owner: 'acme', ...claims}, options)

function expectConforms(path: string, res: TestResponse): void {
  const validate = responseValidator(path, 'POST', res.status)
  if (!validate(res.json())) throw new Error(`${res.status}: ${describeErrors(validate)}\n${res.text}`)
  expect(undeclaredProperties(responseSchemaPointer(path, 'POST', res.status, 'application/json'), res.json())).toEqual([])
}

describe('POST /api/v1/token', () => {
  it('exchanges a valid GitHub-style token (RS256) for a short-lived key, without any credentials', async () => {
    const res = await exchange({oidcToken: ghToken(), projectSlug: 'shop', environmentSlug: 'dev'})
    expect(res.status).toBe(200)
    expectConforms('/api/v1/token', res)
    const {token, expiresAt} = res.json()
    expect(token).toMatch(/^bax-[0-9a-f]{32}-[0-9a-f]{64}$/)
    const minutes = (new Date(expiresAt).getTime() - Date.now()) / 60_000
    expect(minutes).toBeGreaterThan(29)
    expect(minutes).toBeLessThanOrEqual(30)
    const me = await send({url: emulator.url, apiKey: token}, {path: '/api/v1/keys/me'})
    expect(me.status).toBe(200)
    expect(me.json()).toMatchObject({projectSlug: 'shop', environmentSlug: 'dev', environmentId: DEV_ID})
  })

  it('accepts an ES256 token against a JWK, with a custom audience; the by-UUID variant too', async () => {
    const jwt = mintJwt(K8S, {sub: 'system:serviceaccount:shop:api'}, {aud: ['bella', 'other']})
    const res = await exchange({oidcToken: jwt, projectSlug: 'shop', environmentSlug: 'dev'})
    expect(res.json()).toEqual({token: expect.any(String), expiresAt: expect.any(String)})
    const byId = await send({url: emulator.url, apiKey: ''}, {apiKey: null, method: 'POST', path: `/api/v1/environments/${DEV_ID}/token`, body: JSON.stringify({oidcToken: jwt})})
    expect(byId.status).toBe(200)
    expectConforms('/api/v1/environments/{environmentId}/token', byId)
  })

  it('without slugs, picks the one environment the claims are trusted in', async () => {
    // Matches both rules → ambiguous without slugs.
    const both = await exchange({oidcToken: ghToken({sub: 'repo:acme/shop:environment:production'})})
    expect(both.status).toBe(400)
    expect(both.json().detail).toContain('several environments')
    const res = await exchange({oidcToken: ghToken({sub: 'repo:acme/shop:environment:production', repository_owner: 'acme-forks'})})
    expect(res.status).toBe(200)
    const me = await send({url: emulator.url, apiKey: res.json().token}, {path: '/api/v1/keys/me'})
    expect(me.json().environmentSlug).toBe('prod')
  })

  it.each([
    ['an untrusted issuer', () => ghToken({}, {iss: 'https://evil.example'}), /issuer "https:\/\/evil\.example" is not trusted/],
    ['a token signed by another key', () => mintJwt(STRANGER, {sub: 'repo:acme/shop:ref:refs/heads/main', repository_owner: 'acme'}), /signature does not verify/],
    ['the wrong audience', () => ghToken({}, {aud: 'sts.amazonaws.com'}), /audience "sts\.amazonaws\.com" does not include "bella-baxter"/],
    ['an expired token', () => ghToken({}, {expiresIn: -120}), /expired at/],
    ['a token not yet valid', () => ghToken({nbf: Math.floor(Date.now() / 1000) + 600}), /not valid before/],
    ['alg none', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${ghToken().split('.')[1]}.`, /only RS256 and ES256/],
    ['garbage', () => 'not-a-jwt', /not a JWT/],
  ])('401 for %s, naming the check', async (_name, token, detail) => {
    const jwt = token()
    const res = await exchange({oidcToken: jwt, projectSlug: 'shop', environmentSlug: 'dev'})
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().detail).toMatch(detail)
    expect(res.text).not.toContain(jwt.split('.')[2] || jwt)
  })

  it('422 when the claims match no trust rule; 404 for unknown targets; 400 for bad bodies', async () => {
    const wrongRepo = await exchange({oidcToken: ghToken({sub: 'repo:evil/shop:ref:refs/heads/main'}), projectSlug: 'shop', environmentSlug: 'dev'})
    expect(wrongRepo.status).toBe(422)
    expect(wrongRepo.json().detail).toContain('repo:evil/shop')
    const wrongEnv = await exchange({oidcToken: ghToken(), projectSlug: 'shop', environmentSlug: 'prod'})
    expect(wrongEnv.status).toBe(422)
    const wrongClaim = await exchange({oidcToken: ghToken({repository_owner: 'evil'}), projectSlug: 'shop', environmentSlug: 'dev'})
    expect(wrongClaim.status).toBe(422)
    expect((await exchange({oidcToken: ghToken(), projectSlug: 'nope', environmentSlug: 'dev'})).status).toBe(404)
    expect((await exchange({oidcToken: ghToken(), projectSlug: 'shop', environmentSlug: 'nope'})).status).toBe(404)
    expect((await exchange({oidcToken: ghToken(), projectSlug: 'shop', environmentSlug: 'dev', tenantSlug: 'nope'})).status).toBe(404)
    expect((await exchange({})).status).toBe(400)
    expect((await exchange({oidcToken: ''})).status).toBe(400)
  })

  it('an exchanged key is refused once it expires', async () => {
    let clock = new Date()
    const em = await startEmulator({port: 0, seed: seed(), now: () => clock})
    try {
      const res = await send({url: em.url, apiKey: ''}, {apiKey: null, method: 'POST', path: '/api/v1/token', body: JSON.stringify({oidcToken: ghToken(), projectSlug: 'shop', environmentSlug: 'dev'})})
      const key = res.json().token
      clock = new Date(clock.getTime() + 31 * 60_000)
      const me = await send({url: em.url, apiKey: key}, {path: '/api/v1/keys/me', at: clock})
      expect(me.status).toBe(401)
    } finally {
      await em.close()
    }
  })
})

describe('the oidc: seed section', () => {
  it('parses from YAML with a PEM key', async () => {
    const yaml = [
      'oidc:',
      `  - issuer: ${GITHUB.issuer}`,
      '    publicKey: |',
      ...GITHUB.publicKeyPem.trim().split('\n').map((l) => `      ${l}`),
      '    trust:',
      '      - {project: shop, environment: dev, subject: "repo:acme/*", claims: {run_attempt: 1}}',
      'projects:',
      '  - slug: shop',
      '    environments: [{slug: dev}]',
    ].join('\n')
    const parsed = resolveSeed(await parseSeedYaml(yaml))
    expect(parsed.oidc).toHaveLength(1)
    expect(parsed.oidc![0]).toMatchObject({audience: 'bella-baxter', trust: [{role: 'CONSUMER', ttlMinutes: 60, claims: {run_attempt: '1'}}]})
  })

  it.each([
    [{issuer: 'x', publicKey: 'not a key', trust: [{project: 'shop', environment: 'dev'}]}, /not a usable public key/],
    [{issuer: 'x', publicKey: GITHUB.publicKeyPem, trust: []}, /non-empty list of trust rules/],
    [{issuer: 'x', publicKey: GITHUB.publicKeyPem, trust: [{project: 'shop', environment: 'nope'}]}, /environment "nope"/],
    [{issuer: 'x', publicKey: GITHUB.publicKeyPem, trust: [{project: 'shop', environment: 'dev', subjet: 'typo'}]}, /unknown key "subjet"/],
    [{issuer: 'x', trust: [{project: 'shop', environment: 'dev'}]}, /needs "publicKey"/],
  ])('rejects a bad issuer entry (%#)', (entry, message) => {
    expect(() => resolveSeed({oidc: [entry], projects: [{slug: 'shop', environments: [{slug: 'dev'}]}]})).toThrow(message)
  })

  it('reports YAML errors with file:line:col', async () => {
    const yaml = ['projects:', '  - slug: shop', '    environments: [{slug: dev}]', 'oidc:', '  - issuer: x', '    publicKey: nope', '    trust: [{project: shop, environment: dev}]'].join('\n')
    await expect(parseSeedYaml(yaml, 'seed.yaml')).rejects.toThrow(/^seed\.yaml:6:16: oidc\[0\]\.publicKey is not a usable public key/)
  })
})
