/**
 * `bella exec` end to end, everything that needs no PostgreSQL: the environment handed to the
 * command without --provider, the shared supervisor's exit codes, and every way --provider can be
 * refused — each time checking that the command never started. exec-postgres.test.ts covers real
 * credentials.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator, type EmulatorSeed} from '../../plugins/emulator/src/index.js'
import {bella, fixtures, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

const KEY = 'bax-5a0b1c2d3e4f50617283940a1b2c3d4e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'

function seed(): EmulatorSeed {
  return {
    keys: [{key: KEY, project: 'shop', environment: 'dev'}],
    tokens: [{token: 'tok-shop-dev', project: 'shop', environment: 'dev'}],
    projects: [
      {
        slug: 'shop',
        environments: [
          {
            slug: 'dev',
            providers: [
              {slug: 'vault-dev', secrets: {DATABASE_URL: 'postgres://static'}},
              {slug: 'pg', type: 'postgres', roles: {readonly: {default: true, grants: []}, migrate: {grants: [], maxTtl: 600}}},
            ],
          },
        ],
      },
    ],
  }
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: seed()}) // no --postgres-url: generate would be 503
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearRequests())

const env = (extra: Record<string, string> = {}) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: KEY, ...extra})

/** A command that prints every BELLA_* / DB_* / DATABASE_URL variable it got, as JSON. */
const printEnv = ['node', '-e', 'process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(BELLA_|DB_|DATABASE_URL$)/.test(k)).sort())))']

/** A command that leaves a file behind if it ever runs. */
function marker(): {path: string; command: string[]} {
  const path = join(testTempDir('bella-exec-marker-'), 'started')
  return {path, command: ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(path)}, '')`]}
}

describe('bella exec without --provider', () => {
  it('hands over exactly BELLA_BAXTER_URL and BELLA_BAXTER_API_KEY, and no other BELLA_* variable, without calling the API', async () => {
    const r = await bella(['exec', '--', ...printEnv], {
      env: env({
        BELLA_BAXTER_PROJECT: 'shop',
        BELLA_BAXTER_ENV: 'dev',
        BELLA_BAXTER_APP_CLIENT: 'app',
        BELLA_API_KEY: 'bax-old-00',
        BELLA_API_URL: 'http://old',
        BELLA_EMULATOR_POSTGRES_URL: 'postgres://admin:pw@127.0.0.1/x',
        BELLA_CREDENTIAL_STORE: 'file',
        DB_PASSWORD: 'from-the-shell',
      }),
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({BELLA_BAXTER_API_KEY: KEY, BELLA_BAXTER_URL: emulator.url, DB_PASSWORD: 'from-the-shell'})
    expect(emulator.requests()).toEqual([])
  })

  it('--api-url decides the URL the command gets', async () => {
    const r = await bella(['exec', '--api-url', `${emulator.url}/`, '--', ...printEnv], {env: env({BELLA_BAXTER_URL: 'http://127.0.0.1:9'})})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).BELLA_BAXTER_URL).toMatch(new RegExp(`^${emulator.url.replace(/\./g, '\\.')}/?$`))
  })

  it('bearer mode: the access token, plus project and environment when bella knows them', async () => {
    const {BELLA_BAXTER_API_KEY: _unused, ...noKey} = env()
    const r = await bella(['exec', '-e', 'dev', '--', ...printEnv], {env: {...noKey, BELLA_BAXTER_ACCESS_TOKEN: 'tok-shop-dev', BELLA_BAXTER_PROJECT: 'shop'}})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      BELLA_BAXTER_ACCESS_TOKEN: 'tok-shop-dev',
      BELLA_BAXTER_ENV: 'dev',
      BELLA_BAXTER_PROJECT: 'shop',
      BELLA_BAXTER_URL: emulator.url,
    })
  })

  it('without any credential: exit 3, the command never starts', async () => {
    const m = marker()
    const {BELLA_BAXTER_API_KEY: _unused, ...noKey} = env({BELLA_CREDENTIAL_STORE: 'file'})
    const r = await bella(['exec', '--', ...m.command], {env: noKey})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('Not authenticated')
    expect(existsSync(m.path)).toBe(false)
  })
})

describe('bella exec: the same child-process behaviour as bella run', () => {
  it("passes the command's exit status through", async () => {
    expect((await bella(['exec', '--', 'node', join(fixtures, 'exit-with.js'), '42'], {env: env()})).code).toBe(42)
  })

  it('a command killed by signal N makes bella exit 128+N', async () => {
    expect((await bella(['exec', '--', 'node', join(fixtures, 'kill-self.js'), 'SIGTERM'], {env: env()})).code).toBe(143)
  })

  it('forwards SIGTERM sent to bella to the command', async () => {
    const r = await bella(['exec', '--', 'sh', '-c', 'kill -TERM $PPID; sleep 5'], {env: env()})
    expect(r.code).toBe(143)
  })

  it('127 for a missing command and 126 for one that cannot run, before any API call or credential', async () => {
    const missing = await bella(['exec', '--provider', 'pg', '--', 'no-such-command-bella'], {env: env()})
    expect(missing.code).toBe(127)
    expect(missing.stderr).toContain('no-such-command-bella')
    const notExecutable = await bella(['exec', '--', join(fixtures, 'not-executable.sh')], {env: env()})
    expect(notExecutable.code).toBe(126)
    expect(emulator.requests()).toEqual([])
  })

  it('passes the arguments after -- exactly, even ones that look like bella flags', async () => {
    const args = ['-e', 'x', '-p', '--json', '--', '--provider']
    const r = await bella(['exec', '-e', 'dev', '-p', 'shop', '--', 'node', join(fixtures, 'exec-print-args.js'), ...args], {env: env()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(args)
  })

  it('needs a command (exit 2)', async () => {
    const r = await bella(['exec'], {env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('needs a command')
  })
})

describe('bella exec --provider: refused requests never start the command', () => {
  it.each<[string, string[], number, RegExp]>([
    ['an unknown provider (listing the ones there are)', ['--provider', 'nope'], 2, /no provider "nope" in shop\/dev[\s\S]*vault-dev \(vault\), pg \(postgres\)/],
    ['a provider that is not a database provider', ['--provider', 'vault-dev'], 2, /\(400 Bad Request\)[\s\S]*"vault-dev" \(type vault\) is not a database provider/],
    ['an unknown role', ['--provider', 'pg', '--role', 'admin'], 2, /provider "pg" has no role "admin"; its roles are: readonly, migrate[\s\S]*--list-roles/],
    ['a TTL the server refuses', ['--provider', 'pg', '--role', 'migrate', '--ttl', '601'], 2, /ttlSeconds 601 is more than the maximum of 600 seconds/],
    ['a TTL that is not positive', ['--provider', 'pg', '--ttl', '0'], 2, /--ttl/],
    ['--role without --provider', ['--role', 'readonly'], 2, /--provider/],
    ['an emulator without PostgreSQL', ['--provider', 'pg'], 4, /503[\s\S]*--postgres-url/],
    ['an unknown project', ['-p', 'nope', '--provider', 'pg'], 1, /404[\s\S]*project "nope" was not found/],
  ])('%s', async (_what, flags, code, message) => {
    const m = marker()
    const r = await bella(['exec', ...flags, '--', ...m.command], {env: env()})
    expect(r.stderr).toMatch(message)
    expect(r.code).toBe(code)
    expect(r.stdout).toBe('')
    expect(existsSync(m.path)).toBe(false)
  })

  it('a generate request is sent once, never retried', async () => {
    emulator.injectFault({type: 'status', status: 503, count: 3, pathPrefix: '/api/v1/projects/shop/environments/dev/providers/pg/credentials'})
    const r = await bella(['exec', '--provider', 'pg', '--', 'true'], {env: env()})
    emulator.clearFaults()
    expect(r.code).toBe(4)
    expect(emulator.requests().filter((q) => q.path.endsWith('/credentials/generate'))).toHaveLength(1)
  })
})

describe('bella exec --provider SLUG --list-roles', () => {
  it('prints one role per line', async () => {
    const r = await bella(['exec', '--provider', 'pg', '--list-roles'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('readonly\nmigrate\n')
  })

  it('--json prints the roles with the provider, project and environment', async () => {
    const r = await bella(['exec', '--provider', 'pg', '--list-roles', '--json'], {env: env()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({project: 'shop', environment: 'dev', provider: 'pg', roles: ['readonly', 'migrate']})
  })

  it('refuses a command, an unknown provider (exit 2, JSON with --json) and --json without --list-roles', async () => {
    expect((await bella(['exec', '--provider', 'pg', '--list-roles', '--', 'true'], {env: env()})).code).toBe(2)
    const unknown = await bella(['exec', '--provider', 'nope', '--list-roles', '--json'], {env: env()})
    expect(unknown.code).toBe(2)
    expect(JSON.parse(unknown.stdout).error.code).toBe('unknown_provider')
    const json = await bella(['exec', '--json', '--', 'true'], {env: env()})
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error.message).toContain('--json only applies to --list-roles and --explain')
  })
})

// --explain: what exec would hand over, by name and source; the command is not started and, with
// --provider, no credentials (no database user) are generated.
describe('bella exec --explain', () => {
  it('without --provider: names the Bella URL and key it would hand over, never the key, and starts nothing', async () => {
    const {path: file, command} = marker()
    const r = await bella(['exec', '--explain', '--', ...command], {env: env({BELLA_BAXTER_ENV: 'dev'})})
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(false)
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toContain(KEY)
    expect(r.stderr).not.toContain(KEY.split('-')[2])
    expect(r.stderr).toMatch(/^ {2}BELLA_BAXTER_URL +bella's API URL$/m)
    expect(r.stderr).toMatch(/^ {2}BELLA_BAXTER_API_KEY +bella's credential$/m)
    expect(r.stderr).toContain("bella: not passed on from bella's environment: BELLA_BAXTER_ENV")
    expect(r.stderr).toMatch(/^bella: environment: \d+ variables, [\d,]+ bytes/m)
  })

  it('with --provider: lists the DB_* names and checks the role, without generating credentials', async () => {
    const {path: file, command} = marker()
    const r = await bella(['exec', '--explain', '--provider', 'pg', '--role', 'migrate', '--', ...command], {env: env({DATABASE_URL: 'postgres://inherited-value'})})
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(false)
    expect(r.stderr).toContain('no credentials are generated')
    for (const name of ['DB_USERNAME', 'DB_PASSWORD', 'DB_CREDENTIALS_EXPIRES_AT']) expect(r.stderr).toMatch(new RegExp(`^  ${name} +generated when the command starts$`, 'm'))
    expect(r.stderr).toMatch(/^ {2}DATABASE_URL +generated when the command starts \(when the server gives a connection URL; else the inherited one is removed\)$/m)
    expect(r.stderr).toContain('bella: replaces inherited DATABASE_URL')
    expect(r.stderr).not.toContain('inherited-value')
    const paths = emulator.requests().map((q) => q.path)
    expect(paths.some((p) => p.endsWith('/credentials/roles'))).toBe(true)
    expect(paths.some((p) => p.includes('/credentials/generate'))).toBe(false)
  })

  it('warns about a role the provider does not have', async () => {
    const r = await bella(['exec', '--explain', '--provider', 'pg', '--role', 'nosuch', '--', 'true'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Warning: provider "pg" has no role nosuch; bella exec would be refused (roles: readonly, migrate)')
  })

  it('--json gives the same as data on stdout', async () => {
    const r = await bella(['exec', '--explain', '--json', '--provider', 'pg', '--', 'true'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(KEY)
    const data = JSON.parse(r.stdout)
    expect(data).toMatchObject({
      command: 'exec',
      started: false,
      credentialsGenerated: false,
      provider: {project: 'shop', environment: 'dev', slug: 'pg', role: null, roles: ['readonly', 'migrate'], roleKnown: true},
    })
    expect(data.variables.map((v: {name: string}) => v.name)).toEqual(['DB_USERNAME', 'DB_PASSWORD', 'DB_CREDENTIALS_EXPIRES_AT', 'DATABASE_URL'])
    expect(data.size.fits).toBe(true)
  })

  it('errors as usual for an unknown provider (the command not started)', async () => {
    const {path: file, command} = marker()
    const r = await bella(['exec', '--explain', '--provider', 'nope', '--', ...command], {env: env()})
    expect(r.code).not.toBe(0)
    expect(existsSync(file)).toBe(false)
  })
})
