/**
 * Keyless workload identity end to end: no API key anywhere, bella runs "in GitHub Actions" (a
 * local stand-in serves ACTIONS_ID_TOKEN_REQUEST_URL) or "in Kubernetes" (a token file), exchanges
 * the OIDC token at the emulator's POST /api/v1/token, and uses the short-lived key it gets.
 * Tokens are minted with key pairs generated here; the emulator trusts their public halves.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome, type CliResult} from '../helpers/cli.js'
import {startGithubStandIn, type GithubStandIn} from '../fixtures/oidc-github-standin.js'
import {createTestIssuer, mintJwt} from '../fixtures/oidc-tokens.js'
import {testTempDir} from '../helpers/temp.js'

const GITHUB = createTestIssuer('https://token.actions.githubusercontent.test', 'RS256')
const K8S = createTestIssuer('https://kubernetes.default.svc.cluster.local', 'ES256')
const ROGUE = createTestIssuer('https://rogue.example.test', 'RS256')
const GH_SUBJECT = 'repo:acme/shop:ref:refs/heads/main'
const K8S_SUBJECT = 'system:serviceaccount:shop:checkout'

let emulator: Emulator
let github: GithubStandIn
let mintForGithub: (audience: string) => string

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: {
      oidc: [
        {issuer: GITHUB.issuer, publicKey: GITHUB.publicKeyPem, trust: [{project: 'shop', environment: 'dev', subject: 'repo:acme/shop:*', claims: {repository_owner: 'acme'}}]},
        {issuer: K8S.issuer, publicKey: K8S.publicKeyPem, trust: [{project: 'shop', environment: 'dev', subject: K8S_SUBJECT, ttlMinutes: 10}]},
      ],
      projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: {DATABASE_URL: 'postgres://shop-dev', API_TOKEN: 't0k'}}]}]}],
    },
  })
  github = await startGithubStandIn((audience) => mintForGithub(audience))
})
afterAll(async () => {
  await emulator.close()
  await github.close()
})
beforeEach(() => {
  mintForGithub = (audience) => mintJwt(GITHUB, {sub: GH_SUBJECT, repository_owner: 'acme'}, {aud: audience})
  github.calls.length = 0
  emulator.clearRequests()
})

/** A CI job's environment: no BELLA_BAXTER_API_KEY, the target from variables (as a workflow sets them). */
const ciEnv = (extra: Record<string, string> = {}) => ({
  ...isolatedHome(),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_PROJECT: 'shop',
  BELLA_BAXTER_ENV: 'dev',
  BELLA_CREDENTIAL_STORE: 'file',
  // Nothing on this machine's default SA path should matter to these tests.
  BELLA_K8S_TOKEN_PATH: join(tmpdir(), 'bella-no-such-token'),
  ...extra,
})
const githubEnv = (extra: Record<string, string> = {}) =>
  ciEnv({ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken, ...extra})

function tokenFile(jwt: string): string {
  const file = join(testTempDir('bella-k8s-'), 'token')
  writeFileSync(file, `${jwt}\n`)
  return file
}

const printEnv = ['node', '-e', 'process.stdout.write(JSON.stringify({DATABASE_URL: process.env.DATABASE_URL ?? null, key: process.env.BELLA_BAXTER_API_KEY ?? null}))']

/** The short-lived keys the emulator handed out through the exchange. */
const exchangedKeys = () => emulator.state.apiKeys.filter((k) => k.name.startsWith('oidc '))

function expectNothingLeaked(r: CliResult, jwts: string[]): void {
  const all = r.stdout + r.stderr
  for (const jwt of jwts) {
    expect(all).not.toContain(jwt)
    expect(all).not.toContain(jwt.split('.')[2]!)
  }
  for (const key of exchangedKeys()) expect(all).not.toContain(key.secret.toString('hex'))
  expect(all).not.toContain(github.requestToken)
}

describe('keyless in GitHub Actions', () => {
  it('bella run exchanges the job token, runs the command with the secrets, and names the identity on stderr', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({DATABASE_URL: 'postgres://shop-dev', key: null})
    expect(r.stderr).toContain(`using GitHub Actions workload identity (subject ${GH_SUBJECT})`)
    expect(r.stderr).toMatch(/short-lived key bax-[0-9a-f]{8}… for shop\/dev, valid until /)
    expect(github.calls).toEqual([{audience: 'bella-baxter', authorized: true}])
    const paths = emulator.requests().map((q) => `${q.method} ${q.path} ${q.status}`)
    expect(paths[0]).toBe('POST /api/v1/token 200')
    expect(paths).toContain('GET /api/v1/projects/shop/environments/dev/secrets 200')
    expectNothingLeaked(r, github.issued)
  })

  it('whoami shows the workload identity as the credential source', async () => {
    const r = await bella(['whoami', '--json'], {env: githubEnv()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).credentials).toMatchObject({kind: 'api-key', source: 'workload-identity', origin: `GitHub Actions workload identity, subject ${GH_SUBJECT}`})
    expectNothingLeaked(r, github.issued)
  })

  it('bella exec hands the short-lived key (not the OIDC token) to the command', async () => {
    const r = await bella(['exec', '--', 'node', '-e', 'process.stdout.write(String(process.env.BELLA_BAXTER_API_KEY).slice(0, 12))'], {env: githubEnv()})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('GitHub Actions workload identity')
    const latest = exchangedKeys().at(-1)!
    expect(r.stdout).toBe(`bax-${latest.id.slice(0, 8)}`)
  })

  it('bella agent --once writes the files with the exchanged key', async () => {
    const dir = testTempDir('bella-agent-keyless-')
    const config = join(dir, 'bella-agent.yaml')
    writeFileSync(config, `watches:\n  - project: shop\n    environment: dev\nsinks:\n  - type: json\n    path: ${join(dir, 'secrets.json')}\n`)
    const r = await bella(['agent', '-c', config, '--once'], {env: githubEnv(), cwd: dir})
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({DATABASE_URL: 'postgres://shop-dev'})
    expect(r.stderr).toContain('GitHub Actions workload identity')
    expectNothingLeaked(r, github.issued)
  })

  it('a configured API key wins: no OIDC token is requested or exchanged', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv({BELLA_BAXTER_API_KEY: emulator.apiKey})})
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain('workload identity')
    expect(github.calls).toHaveLength(0)
    expect(emulator.requests().some((q) => q.path === '/api/v1/token')).toBe(false)
  })

  it('a token from an issuer the server does not trust is a clear error (exit 3); the command never starts', async () => {
    mintForGithub = (audience) => mintJwt(ROGUE, {sub: GH_SUBJECT, repository_owner: 'acme'}, {aud: audience})
    const marker = join(testTempDir('bella-marker-'), 'started')
    const r = await bella(['run', '--', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {env: githubEnv()})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`GitHub Actions workload identity (subject ${GH_SUBJECT}) was not accepted for shop/dev`)
    expect(r.stderr).toContain(`issuer "${ROGUE.issuer}" is not trusted`)
    expect(r.stderr).toContain('BELLA_BAXTER_API_KEY')
    expect(() => readFileSync(marker)).toThrow()
    expectNothingLeaked(r, github.issued)
  })

  it('a token for the wrong audience is refused before it is sent anywhere (exit 3)', async () => {
    mintForGithub = () => mintJwt(GITHUB, {sub: GH_SUBJECT, repository_owner: 'acme'}, {aud: 'sts.amazonaws.com'})
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv()})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('is for audience "sts.amazonaws.com", not "bella-baxter"')
    expect(emulator.requests().some((q) => q.path === '/api/v1/token')).toBe(false)
    expectNothingLeaked(r, github.issued)
  })

  it('the server rejects an audience it does not trust, even when bella is told to ask for it', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv({BELLA_OIDC_AUDIENCE: 'other-audience'})})
    expect(r.code).toBe(3)
    expect(github.calls[0]!.audience).toBe('other-audience')
    expect(r.stderr).toContain('401')
    expect(r.stderr).toContain('does not include "bella-baxter"')
    expectNothingLeaked(r, github.issued)
  })

  it('claims outside every trust rule are refused (422 → exit 3) naming the subject', async () => {
    mintForGithub = (audience) => mintJwt(GITHUB, {sub: 'repo:evil/shop:ref:refs/heads/main', repository_owner: 'evil'}, {aud: audience})
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv()})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('no trust rule')
    expect(r.stderr).toContain('repo:evil/shop:ref:refs/heads/main')
    expectNothingLeaked(r, github.issued)
  })

  it('an expired job token is refused (exit 3)', async () => {
    mintForGithub = (audience) => mintJwt(GITHUB, {sub: GH_SUBJECT, repository_owner: 'acme'}, {aud: audience, expiresIn: -600})
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv()})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('expired at')
  })

  it('GitHub refusing the token request says to grant id-token: write (exit 3)', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv({ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-request-token'})})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('id-token: write')
    expect(r.stderr).not.toContain('wrong-request-token')
  })

  it('without a project and environment, says what is missing (exit 3) and requests nothing', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv({BELLA_BAXTER_ENV: ''})})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('GitHub Actions workload identity needs a project and an environment')
    expect(github.calls).toHaveLength(0)
  })

  it('BELLA_WORKLOAD_IDENTITY=off keeps the old "not authenticated" error', async () => {
    const r = await bella(['run', '--', ...printEnv], {env: githubEnv({BELLA_WORKLOAD_IDENTITY: 'off'})})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('Not authenticated')
    expect(github.calls).toHaveLength(0)
  })
})

describe('keyless in Kubernetes', () => {
  it('bella run exchanges the projected service-account token (ES256) and names the identity', async () => {
    const jwt = mintJwt(K8S, {sub: K8S_SUBJECT, 'kubernetes.io': {namespace: 'shop'}})
    const r = await bella(['run', '--', ...printEnv], {env: ciEnv({BELLA_K8S_TOKEN_PATH: tokenFile(jwt)})})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).DATABASE_URL).toBe('postgres://shop-dev')
    expect(r.stderr).toContain(`using Kubernetes workload identity (subject ${K8S_SUBJECT})`)
    expectNothingLeaked(r, [jwt])
    const key = exchangedKeys().at(-1)!
    expect(key.expires!.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000)
  })

  it('the default service-account token (audience: the API server) is never sent to Bella', async () => {
    const jwt = mintJwt(K8S, {sub: K8S_SUBJECT}, {aud: ['https://kubernetes.default.svc.cluster.local']})
    const r = await bella(['run', '--', ...printEnv], {env: ciEnv({BELLA_K8S_TOKEN_PATH: tokenFile(jwt)})})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('not "bella-baxter"; bella does not send it anywhere')
    expect(r.stderr).toContain('projected service-account token')
    expect(emulator.requests()).toHaveLength(0)
    expectNothingLeaked(r, [jwt])
  })

  it('a token signed by another key is a clear error (exit 3)', async () => {
    const forged = mintJwt(createTestIssuer(K8S.issuer, 'ES256'), {sub: K8S_SUBJECT})
    const r = await bella(['run', '--', ...printEnv], {env: ciEnv({BELLA_K8S_TOKEN_PATH: tokenFile(forged)})})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('signature does not verify')
    expectNothingLeaked(r, [forged])
  })
})
