/**
 * A long-running command (run --watch, agent) outlives its workload-identity key: the session's
 * API client exchanges a fresh OIDC token for a new key when the old one is refused or about to
 * expire. In-process, so the emulator's clock can be moved past the key's expiry.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {getKeyContext, openSession} from '@bella/core'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {startGithubStandIn, type GithubStandIn} from '../fixtures/oidc-github-standin.js'
import {createTestIssuer, mintJwt} from '../fixtures/oidc-tokens.js'
import {testTempDir} from '../helpers/temp.js'

const GITHUB = createTestIssuer('https://token.actions.githubusercontent.test', 'ES256')
let emulator: Emulator
let github: GithubStandIn
let clock = new Date()

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    now: () => clock,
    seed: {
      oidc: [{issuer: GITHUB.issuer, publicKey: GITHUB.publicKeyPem, trust: [{project: 'shop', environment: 'dev', subject: 'repo:acme/*', ttlMinutes: 1}]}],
      projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'v', secrets: {A: '1'}}]}]}],
    },
  })
  github = await startGithubStandIn((audience) => mintJwt(GITHUB, {sub: 'repo:acme/shop:ref:refs/heads/main'}, {aud: audience, now: clock}))
})
afterAll(async () => {
  await emulator.close()
  await github.close()
})

describe('keyless renewal', () => {
  it('renews the short-lived key when it expires, and says so once per renewal', async () => {
    const home = testTempDir('bella-renew-')
    const notices: string[] = []
    const session = await openSession({
      flags: {},
      env: {
        HOME: home,
        BELLA_BAXTER_URL: emulator.url,
        BELLA_BAXTER_PROJECT: 'shop',
        BELLA_BAXTER_ENV: 'dev',
        BELLA_CREDENTIAL_STORE: 'file',
        BELLA_K8S_TOKEN_PATH: join(home, 'none'),
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      },
      cwd: home,
      configDir: join(home, '.config', 'bella'),
      notice: (m) => notices.push(m),
    })
    expect(session.credentials.source).toBe('workload-identity')
    const first = await getKeyContext(session.api)
    expect(notices).toHaveLength(1)

    // The key lives one minute on the server's clock; two minutes later it is refused, and renewed.
    clock = new Date(clock.getTime() + 2 * 60_000)
    const second = await getKeyContext(session.api)
    expect(second.keyId).not.toBe(first.keyId)
    expect(second.environmentSlug).toBe('dev')
    expect(notices).toHaveLength(2)
    expect(notices[1]).toContain('renewed the GitHub Actions workload identity key')
    expect(github.calls).toHaveLength(2)
    const statuses = emulator.requests().map((q) => `${q.method} ${q.path} ${q.status}`)
    expect(statuses).toEqual([
      'POST /api/v1/token 200',
      'GET /api/v1/keys/me 200',
      'GET /api/v1/keys/me 401',
      'POST /api/v1/token 200',
      'GET /api/v1/keys/me 200',
    ])
    for (const n of notices) for (const jwt of github.issued) expect(n).not.toContain(jwt)
  })
})
