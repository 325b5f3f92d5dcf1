import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'

const ADMIN_KEY = `bax-${'a1'.repeat(16)}-${'33'.repeat(32)}`
const CONSUMER_KEY = `bax-${'c1'.repeat(16)}-${'44'.repeat(32)}`
const PROJECT_KEY = `bax-${'b1'.repeat(16)}-${'55'.repeat(32)}`
const DEV_ID = '41111111-2222-4333-8444-666666666666'
const PROD_ID = '41111111-2222-4333-8444-777777777777'

let emulator: Emulator
let clock = new Date()
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    now: () => clock,
    seed: {
      keys: [
        {key: ADMIN_KEY, project: 'shop', environment: 'dev', role: 'ADMIN'},
        {key: CONSUMER_KEY, project: 'shop', environment: 'dev'},
        {key: PROJECT_KEY, project: 'shop', role: 'ADMIN'},
      ],
      projects: [
        {
          slug: 'shop',
          environments: [
            {
              slug: 'dev',
              id: DEV_ID,
              providers: [
                {slug: 'vault', secrets: {DATABASE_URL: 'postgres://dev', STRIPE_API_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1'}},
                {slug: 'aws', type: 'aws', secrets: {AWS_REGION: 'eu-west-1'}},
              ],
            },
            {slug: 'prod', id: PROD_ID, providers: [{slug: 'vault-prod', secrets: {STRIPE_API_KEY: 'sk_live_1'}}]},
          ],
        },
      ],
    },
  })
})
afterAll(() => emulator.close())
beforeEach(() => {
  clock = new Date()
  emulator.clearRequests()
})

const env = (apiKey = ADMIN_KEY) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: apiKey})
const printEnv = ['node', '-e', 'process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(DATABASE|STRIPE|AWS)_/.test(k)))))']

describe('bella issue', () => {
  it('prints the token alone on stdout (TOKEN=$(bella issue …) works) and a two-line summary on stderr', async () => {
    const r = await bella(['issue', '--scope', 'stripe'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^bax-[0-9a-f]{32}-[0-9a-f]{64}\n$/)
    const token = r.stdout.trim()
    const secret = token.split('-')[2]!
    expect(r.stderr).not.toContain(secret)
    const summary = r.stderr.trimEnd().split('\n')
    expect(summary).toHaveLength(2)
    expect(summary[0]).toContain('Scoped token issued for shop/dev (scopes: stripe | expires in 15 min')
    expect(summary[1]).toContain('shown only once')

    // The token reaches its scopes and nothing else.
    const run = await bella(['run', '--', ...printEnv], {env: env(token)})
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({STRIPE_API_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1'})
    expect(run.stderr).not.toContain(secret)
  })

  it('takes the environment id from keys/me for an environment key (never the slug)', async () => {
    await bella(['issue', '--scope', 'stripe'], {env: env()})
    const paths = emulator.requests().map((q) => `${q.method} ${q.path}`)
    expect(paths).toEqual(['GET /api/v1/keys/me', `POST /api/v1/environments/${DEV_ID}/tokens/issue`])
  })

  it('otherwise looks the environment up by project and slug (project-level key, -e prod)', async () => {
    const r = await bella(['issue', '-p', 'shop', '-e', 'prod', '--scope', 'stripe', '--ttl', '60', '--reason', 'nightly export'], {env: env(PROJECT_KEY)})
    expect(r.code).toBe(0)
    const paths = emulator.requests().map((q) => `${q.method} ${q.path}`)
    expect(paths).toEqual(['GET /api/v1/projects/shop/environments/prod', `POST /api/v1/environments/${PROD_ID}/tokens/issue`])
    const run = await bella(['run', '--', ...printEnv], {env: {...env(r.stdout.trim()), BELLA_BAXTER_PROJECT: 'shop', BELLA_BAXTER_ENV: 'prod'}})
    expect(JSON.parse(run.stdout)).toEqual({STRIPE_API_KEY: 'sk_live_1'})
    const listed = await bella(['api-keys', 'list', '-p', 'shop', '-e', 'prod', '--json'], {env: env(PROJECT_KEY)})
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({clientName: 'nightly export', allowedScopes: ['stripe']})
  })

  it('a project-level key with no environment is a usage error (exit 2)', async () => {
    const r = await bella(['issue', '--scope', 'stripe'], {env: env(PROJECT_KEY)})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No environment to use')
  })

  it('--json prints the whole response; scopes can be repeated and combined', async () => {
    const r = await bella(['issue', '--scope', 'stripe', '--scope', 'provider:aws', '--ttl', '30', '--json'], {env: env()})
    expect(r.code).toBe(0)
    const response = JSON.parse(r.stdout)
    expect(response).toMatchObject({success: true, message: expect.any(String), apiKey: expect.stringMatching(/^bax-/), keyPrefix: expect.any(String), id: expect.any(String)})
    expect(Date.parse(response.expiresAt) - clock.getTime()).toBe(30 * 60_000)
    expect(r.stderr).not.toContain(response.apiKey.split('-')[2])
    const run = await bella(['run', '--', ...printEnv], {env: env(response.apiKey)})
    expect(JSON.parse(run.stdout)).toEqual({STRIPE_API_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', AWS_REGION: 'eu-west-1'})
    const listed = JSON.parse((await bella(['api-keys', 'list', '--json'], {env: env()})).stdout)
    expect(listed.find((k: any) => k.id === response.id)).toMatchObject({clientName: 'cli-issued-token', allowedScopes: ['stripe', 'provider:aws']})
  })

  it('the token expires after --ttl minutes', async () => {
    const r = await bella(['issue', '--scope', 'stripe', '--ttl', '1'], {env: env()})
    const token = r.stdout.trim()
    expect((await bella(['whoami'], {env: env(token)})).code).toBe(0)
    clock = new Date(clock.getTime() + 2 * 60_000)
    const late = await bella(['whoami'], {env: env(token)})
    expect(late.code).toBe(3)
    expect(late.stderr).toContain('expired')
  })

  it.each([
    [['--scope', '']],
    [['--scope', ' ']],
    [['--scope', 'a,,b']],
    [['--scope', 'a, ,b']],
    [['--scope', 'a,']],
    [['--scope', 'a', '--scope', '']],
    [['--scope', 'a', '--ttl', '0']],
    [['--scope', 'a', '--ttl', '481']],
    [['--scope', 'a', '--ttl', '1.5']],
    [['--scope', 'a', '--ttl', 'soon']],
    [['--scope', 'a', '--ttl', '-5']],
    [['--scope', 'a', '--reason', '']],
    [['--ttl', '15']],
  ])('bad input %j exits 2 before any request', async (args) => {
    const r = await bella(['issue', ...args], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/scope|ttl|reason/)
    expect(emulator.requests()).toHaveLength(0)
  })

  it('bad input with --json is a JSON error on stdout (exit 2)', async () => {
    const r = await bella(['issue', '--scope', 'a', '--ttl', '999', '--json'], {env: env()})
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'invalid_ttl', exitCode: 2})
  })

  it('a key that may not manage the environment exits 3; a scoped token cannot issue another', async () => {
    const consumer = await bella(['issue', '--scope', 'stripe'], {env: env(CONSUMER_KEY)})
    expect(consumer.code).toBe(3)
    expect(consumer.stderr).toContain('403')
    const token = (await bella(['issue', '--scope', 'stripe'], {env: env()})).stdout.trim()
    const chained = await bella(['issue', '--scope', 'stripe'], {env: env(token)})
    expect(chained.code).toBe(3)
    expect(chained.stdout + chained.stderr).not.toContain(token.split('-')[2])
  })
})
