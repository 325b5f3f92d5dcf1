import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'

const ADMIN_KEY = `bax-${'a2'.repeat(16)}-${'33'.repeat(32)}`
const CONSUMER_KEY = `bax-${'c2'.repeat(16)}-${'44'.repeat(32)}`

const HOSTILE: Record<string, string> = {
  LINES: 'line one\nline two\r\n\n',
  QUOTES: `it's "double" and 'single' \\' end`,
  DOLLAR: '$HOME `id` $(id) ${PATH}',
  UNICODE: 'héllo wörld ✓ 🚀',
  BIG: 'x'.repeat(100 * 1024),
}

let emulator: Emulator
let work: string
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bella-secrets-'))
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [
        {key: ADMIN_KEY, project: 'shop', environment: 'dev', role: 'ADMIN'},
        {key: CONSUMER_KEY, project: 'shop', environment: 'dev'},
      ],
      projects: [
        {
          slug: 'shop',
          environments: [
            {slug: 'dev', providers: [{slug: 'vault', secrets: {DATABASE_URL: 'postgres://dev'}}, {slug: 'aws', secrets: {AWS_REGION: 'eu-west-1'}}]},
            {slug: 'prod', providers: [{slug: 'vault-prod', secrets: {}}]},
          ],
        },
      ],
    },
  })
})
afterAll(async () => {
  await emulator.close()
  rmSync(work, {recursive: true, force: true})
})

const env = (apiKey = ADMIN_KEY) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: apiKey})
const run = (args: string[], options: {input?: string; key?: string; cwd?: string} = {}) => bella(args, {env: env(options.key), input: options.input, cwd: options.cwd ?? work})

describe('projects, environments, providers', () => {
  it('lists them as tables (piped: full width) and as --json', async () => {
    const projects = await run(['projects', 'list', '--json'])
    expect(JSON.parse(projects.stdout).map((p: {slug: string}) => p.slug)).toEqual(['shop'])
    const envs = await run(['environments', 'list'])
    expect(envs.code).toBe(0)
    expect(envs.stdout.split('\n')[0]).toMatch(/^SLUG +NAME +PROVIDERS +SECRETS$/)
    expect(envs.stdout).toMatch(/^dev /m)
    const providers = await run(['providers', 'list', '--json'])
    expect(JSON.parse(providers.stdout).providers.map((p: {slug: string}) => p.slug)).toEqual(['vault', 'aws'])
  })
})

describe('bella secrets', () => {
  it('round-trips hostile values through set (stdin and --from-file), get and export --format shell', async () => {
    const names = Object.keys(HOSTILE)
    for (const name of names) {
      const file = join(work, `${name}.value`)
      writeFileSync(file, HOSTILE[name]!)
      const set = await run(['secrets', 'set', '--provider', 'vault', '--from-file', `${name}=${file}`])
      expect(set.code).toBe(0)
      expect(set.stdout).toMatch(new RegExp(`^${name}  created  version 1`))
      expect(set.stdout + set.stderr).not.toContain(HOSTILE[name]!.slice(0, 12))
      const got = await run(['secrets', 'get', name])
      expect(got.stdout).toBe(HOSTILE[name])
    }
    // NAME=- takes stdin (one trailing newline dropped); the version moves to 2.
    const viaStdin = await run(['secrets', 'set', '--provider', 'vault', 'QUOTES=-'], {input: `${HOSTILE.QUOTES}!\n`})
    expect(viaStdin.stdout).toMatch(/^QUOTES  updated  version 2/)
    expect((await run(['secrets', 'get', 'QUOTES'])).stdout).toBe(`${HOSTILE.QUOTES}!`)
    expect((await run(['secrets', 'get', 'QUOTES', '--version', '1'])).stdout).toBe(HOSTILE.QUOTES)

    const shell = await run(['secrets', 'export', '--format', 'shell'])
    expect(shell.code).toBe(0)
    const script = `${shell.stdout}\nnode -e 'process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).map((n) => [n, process.env[n]]))))' ${names.join(' ')}`
    const back = JSON.parse(execFileSync('sh', ['-c', 'eval "$(cat)"'], {input: script, env: {PATH: process.env.PATH}}).toString())
    expect(back).toEqual({...HOSTILE, QUOTES: `${HOSTILE.QUOTES}!`})
  })

  it('lists names, provider and type, never values unless --json --reveal', async () => {
    const list = await run(['secrets', 'list'])
    expect(list.stdout).toMatch(/^DATABASE_URL +vault /m)
    expect(list.stdout).not.toContain('postgres://dev')
    expect((await run(['secrets', 'list', '--reveal'])).code).toBe(2)
    const revealed = JSON.parse((await run(['secrets', 'list', '--json', '--reveal'])).stdout)
    expect(revealed.secrets.find((s: {name: string}) => s.name === 'DATABASE_URL').value).toBe('postgres://dev')
  })

  it('an unknown name exits 1 and suggests close names', async () => {
    const r = await run(['secrets', 'get', 'DATABSE_URL'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('did you mean: DATABASE_URL')
    const json = JSON.parse((await run(['secrets', 'get', 'NOPE', '--json'])).stdout)
    expect(json.error.code).toBe('secret_not_found')
  })

  it('several providers and none named: a usage error listing them; a CONSUMER key: exit 3 naming the roles', async () => {
    const r = await run(['secrets', 'set', 'A=1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--provider vault')
    expect(r.stderr).toContain('--provider aws')
    const refused = await run(['secrets', 'set', '--provider', 'vault', 'A=-'], {key: CONSUMER_KEY, input: 'v'})
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('MANAGER, ADMIN or OWNER')
  })

  it('a secret named __proto__ works, and is flagged by export --format shell and dotenv', async () => {
    expect((await run(['secrets', 'set', '--provider', 'aws', '__proto__=-'], {input: 'p'})).code).toBe(0)
    expect((await run(['secrets', 'get', '__proto__'])).stdout).toBe('p')
    const json = JSON.parse((await run(['secrets', 'export', '--format', 'json'])).stdout)
    expect(Object.hasOwn(json, '__proto__')).toBe(true)
    const dotenv = await run(['secrets', 'export', '--format', 'dotenv'])
    expect(dotenv.code).toBe(1)
    expect(dotenv.stderr).toContain('__proto__')
    expect((await run(['secrets', 'set', '--provider', 'aws', 'bad-name=-'], {input: 'x'})).code).toBe(0)
    const shell = await run(['secrets', 'export', '--format', 'shell'])
    expect(shell.code).toBe(1)
    expect(shell.stderr).toContain('"bad-name"')
    const deleted = await run(['secrets', 'delete', '__proto__', 'bad-name', '--yes'])
    expect(deleted.code).toBe(0)
    expect((await run(['secrets', 'get', '__proto__'])).code).toBe(1)
  })

  it('delete needs --yes without a terminal; --output writes 0600 atomically; every write moves the version', async () => {
    expect((await run(['secrets', 'delete', 'BIG'])).code).toBe(2)
    const before = emulator.state.projects[0]!.environments[0]!.version
    expect((await run(['secrets', 'delete', 'BIG', '--yes'])).code).toBe(0)
    expect(emulator.state.projects[0]!.environments[0]!.version).toBe(before + 1)
    const out = join(work, 'out.json')
    const r = await run(['secrets', 'export', '--format', 'json', '--output', out])
    expect(r.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(out, 'utf8')).LINES).toBe(HOSTILE.LINES)
  })

  it('import shows the names to add or change, writes them, and --dry-run writes nothing', async () => {
    const file = join(work, 'import.env')
    writeFileSync(file, 'DATABASE_URL=postgres://new\nNEW_ONE="multi\\nline"\n')
    const dry = await run(['secrets', 'import', file, '--provider', 'vault', '--dry-run'])
    expect(dry.stdout).toContain('~ change  DATABASE_URL')
    expect(dry.stdout).toContain('+ add     NEW_ONE')
    expect(dry.stdout).not.toContain('postgres://new')
    expect((await run(['secrets', 'get', 'DATABASE_URL'])).stdout).toBe('postgres://dev')
    expect((await run(['secrets', 'import', file, '--provider', 'vault'])).code).toBe(0)
    expect((await run(['secrets', 'get', 'NEW_ONE'])).stdout).toBe('multi\nline')
  })

  it('import refuses a .env file that sets __proto__ (dotenv would drop it silently) and writes nothing', async () => {
    const file = join(work, 'proto.env')
    writeFileSync(file, 'PROTO_NEIGHBOUR=kept\nexport __proto__ = polluted\n')
    const r = await run(['secrets', 'import', file, '--provider', 'vault'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('sets __proto__')
    expect(r.stderr).toContain('Try: set that secret on its own')
    expect(r.stderr).not.toContain('polluted')
    expect((await run(['secrets', 'get', 'PROTO_NEIGHBOUR'])).code).not.toBe(0)
  })
})

describe('bella context', () => {
  it('init needs flags without a terminal, writes .bella; get --quiet, show and clear', async () => {
    const dir = mkdtempSync(join(work, 'ctx-'))
    expect((await run(['context', 'init'], {cwd: dir})).code).toBe(2)
    const init = await run(['context', 'init', '-p', 'shop', '-e', 'dev'], {cwd: dir})
    expect(init.code).toBe(0)
    expect(readFileSync(join(dir, '.bella'), 'utf8')).toBe('project = "shop"\nenvironment = "dev"\n')
    const get = await run(['context', 'get', '--quiet'], {cwd: dir})
    expect(get.stdout).toBe('shop/dev\n')
    expect(get.stderr).toBe('')
    const show = JSON.parse((await run(['context', 'show', '--json'], {cwd: dir})).stdout)
    expect(show.environment).toMatchObject({value: 'dev', source: 'bella-file'})
    expect(JSON.stringify(show)).not.toContain('33'.repeat(32))
    expect((await run(['context', 'clear'], {cwd: dir})).code).toBe(0)
    expect(statSync(join(dir, '.bella'), {throwIfNoEntry: false})).toBeUndefined()
  })
})
