/**
 * `bella agent` end to end, one-shot paths: the real bin/run.js (built output) against an
 * in-process emulator. --once, config validation (exit 2 with file:line:col before anything
 * runs), --init, pid-file problems, API failures, log formats, and the 10,000-secret budget.
 * The long-running agent (changes, faults, SIGHUP, SIGTERM): agent-watch.test.ts.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {parse as parseYaml} from 'yaml'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentEnv, agentSeed, leaked, lines, mode, Program, sha256, threeWatches, VALUES, type AgentEvent} from '../fixtures/agent-harness.js'
import {bella, fixtures} from '../helpers/cli.js'

let emulator: Emulator
let root: string
let shopKey: string
let starterKey: string
const programs: Program[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  shopKey = emulator.apiKeys[0]!.key
  starterKey = emulator.apiKeys[1]!.key
  root = mkdtempSync(join(tmpdir(), 'bella-agent-once-'))
})
afterAll(async () => {
  for (const p of programs) p.stop()
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

let counter = 0
/** A fresh folder holding `bella-agent.yaml` with this text. */
function project(config: string): string {
  const dir = join(root, `p${++counter}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'bella-agent.yaml'), config)
  return dir
}

const once = (dir: string, args: string[] = [], env: Record<string, string> = {}, key = shopKey) =>
  bella(['agent', '--once', ...args], {cwd: dir, env: agentEnv(emulator.url, key, env)})

const jsonEvents = (stderr: string): AgentEvent[] =>
  stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentEvent)

/** Fails with names only: a value in a log is the bug, printing it again would repeat it. */
function expectNoValues(...outputs: string[]): void {
  expect(leaked(outputs.join('\n'))).toEqual([])
}

const merged = {
  DATABASE_URL: VALUES.DATABASE_URL,
  TRICKY: VALUES.TRICKY,
  SHARED: VALUES.SHARED_PROD,
  API_TOKEN: VALUES.API_TOKEN,
  PROD_ONLY: VALUES.PROD_ONLY,
}

describe('bella agent --once', () => {
  it('writes every sink with the watches merged in order (0600), names shared keys once, exits 0', async () => {
    const dir = project(threeWatches)
    const r = await once(dir)
    expectNoValues(r.stdout, r.stderr)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    for (const line of r.stderr.trim().split('\n')) expect(line).toMatch(/^(bella agent|Warning): /)
    expect(r.stderr).toMatch(/Warning: 2 keys are defined by more than one watch; the later watch wins: SHARED \(shop\/dev → shop\/prod\), API_TOKEN \(shop\/dev → shop\/dev provider AWS Secrets Manager \(dev\)\)/)
    expect(r.stderr.match(/defined by more than one watch/g)).toHaveLength(1)

    expect(parseDotenv(readFileSync(join(dir, 'out', '.env')))).toEqual(merged)
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual(merged)
    expect(parseYaml(readFileSync(join(dir, 'secrets.yaml'), 'utf8'))).toEqual(merged)
    for (const file of ['out/.env', 'secrets.json', 'secrets.yaml']) expect(mode(join(dir, file))).toBe(0o600)
    // Atomic writes leave no temp files behind.
    expect(readdirSync(dir).sort()).toEqual(['bella-agent.yaml', 'out', 'secrets.json', 'secrets.yaml'])
    expect(readdirSync(join(dir, 'out'))).toEqual(['.env'])

    // Run again with nothing changed: no file is rewritten (same inode and mtime).
    const before = ['out/.env', 'secrets.json'].map((f) => statSync(join(dir, f)))
    const again = await once(dir, ['--log-format', 'json'])
    expect(again.code).toBe(0)
    expect(jsonEvents(again.stderr).filter((e) => e.event === 'unchanged')).toHaveLength(3)
    expect(jsonEvents(again.stderr).filter((e) => e.event === 'written')).toHaveLength(0)
    const after = ['out/.env', 'secrets.json'].map((f) => statSync(join(dir, f)))
    expect(after.map((s) => [s.ino, s.mtimeMs])).toEqual(before.map((s) => [s.ino, s.mtimeMs]))
  })

  it('--log-format json: one JSON object per event on stderr, names and counts only', async () => {
    const dir = project(threeWatches)
    const r = await once(dir, ['--log-format', 'json'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expectNoValues(r.stdout, r.stderr)
    const events = jsonEvents(r.stderr)
    for (const e of events) {
      expect(Number.isNaN(Date.parse(e.time))).toBe(false)
      expect(['debug', 'info', 'warn', 'error']).toContain(e.level)
      expect(typeof e.message).toBe('string')
    }
    expect(events.map((e) => e.event)).toEqual(['start', 'fetched', 'fetched', 'fetched', 'collision', 'written', 'written', 'written', 'stopped'])
    expect(events.find((e) => e.event === 'collision')!.keys).toEqual(['SHARED', 'API_TOKEN'])
    expect(events.filter((e) => e.event === 'fetched').map((e) => e.watch)).toEqual(['shop/dev', 'shop/prod', 'shop/dev provider AWS Secrets Manager (dev)'])
    expect(events.find((e) => e.event === 'written' && e.sink === 'json')).toMatchObject({target: join(dir, 'secrets.json'), secrets: 5})
  })

  it('expands ${VAR} and ${VAR:-default} from the environment, inside values only', async () => {
    const dir = project('watches:\n  - project: ${AGENT_PROJECT}\n    environment: ${AGENT_ENV:-prod}\nsinks:\n  - type: json\n    path: ${OUT_DIR:-gen}/s.json\n')
    const r = await once(dir, [], {AGENT_PROJECT: 'shop'})
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'gen', 's.json'), 'utf8'))).toEqual({PROD_ONLY: VALUES.PROD_ONLY, SHARED: VALUES.SHARED_PROD})
  })

  it('signals the pid-file process after the files are written; it reads the new file', async () => {
    const dir = project('watches: [{project: shop, environment: prod}]\nsinks: [{type: dotenv, path: app.env}]\nprocess:\n  signal: sighup\n  pid-file: app.pid\n')
    const app = new Program([join(fixtures, 'agent-app.js'), join(dir, 'app.pid'), join(dir, 'app.env'), join(dir, 'record')])
    programs.push(app)
    await app.waitFor(/ready \d+/)
    const r = await once(dir)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/sent SIGHUP to pid \d+ from app\.pid/)
    for (let i = 0; i < 100 && lines(join(dir, 'record')).length === 0; i++) await new Promise((res) => setTimeout(res, 20))
    expect(lines(join(dir, 'record'))).toEqual([`SIGHUP ${sha256(readFileSync(join(dir, 'app.env')))}`])
    app.stop()
  })

  it('a missing, stale or garbage pid-file is a warning, not a failure', async () => {
    const config = 'watches: [{project: shop, environment: prod}]\nsinks: [{type: dotenv, path: app.env}]\nprocess: {signal: sigterm, pid-file: run/app.pid}\n'
    const missing = await once(project(config))
    expect(missing.code).toBe(0)
    expect(missing.stderr).toContain('Warning: not signalling: pid-file run/app.pid does not exist')

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
    const staleDir = project(config)
    mkdirSync(join(staleDir, 'run'))
    writeFileSync(join(staleDir, 'run', 'app.pid'), `${dead.stdout}\n`)
    const stale = await once(staleDir)
    expect(stale.code).toBe(0)
    expect(stale.stderr).toContain(`Warning: not signalling: pid-file run/app.pid is stale: no process ${dead.stdout} is running`)

    const garbageDir = project(config)
    mkdirSync(join(garbageDir, 'run'))
    writeFileSync(join(garbageDir, 'run', 'app.pid'), '-1\n')
    const garbage = await once(garbageDir)
    expect(garbage.code).toBe(0)
    expect(garbage.stderr).toContain('Warning: not signalling: pid-file run/app.pid does not hold a process id')
    expect(existsSync(join(garbageDir, 'app.env'))).toBe(true)
  })

  it('an unreachable API exits 4 naming the URL and writes nothing', async () => {
    const dir = project('watches: [{project: shop, environment: dev}]\nsinks: [{type: dotenv, path: .env}, {type: json, path: s.json}]\n')
    writeFileSync(join(dir, '.env'), 'OLD=1\n')
    const r = await once(dir, [], {BELLA_BAXTER_URL: 'http://127.0.0.1:1'})
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('http://127.0.0.1:1')
    expect(r.stderr).toContain('nothing was written')
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('OLD=1\n')
    expect(existsSync(join(dir, 's.json'))).toBe(false)
  })

  it('one watch failing (unknown environment) writes nothing at all; exit 1', async () => {
    const dir = project('watches:\n  - {project: shop, environment: dev}\n  - {project: shop, environment: staging}\nsinks: [{type: dotenv, path: .env}]\n')
    writeFileSync(join(dir, '.env'), 'OLD=1\n')
    const r = await once(dir, ['--log-format', 'json'])
    expect(r.code).toBe(1)
    const error = jsonEvents(r.stderr).at(-1)!
    expect(error).toMatchObject({event: 'error', level: 'error', exitCode: 1, code: 'api_not_found'})
    expect(error.message).toMatch(/^cannot fetch shop\/staging: .*404.*nothing was written$/)
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('OLD=1\n')
  })

  it('a refused API key exits 3 and writes nothing', async () => {
    const dir = project('watches: [{project: shop, environment: dev}]\nsinks: [{type: dotenv, path: .env}]\n')
    const r = await once(dir, [], {}, `bax-${'f'.repeat(32)}-${'ab'.repeat(32)}`)
    expect(r.code).toBe(3)
    expect(existsSync(join(dir, '.env'))).toBe(false)
  })
})

describe('bella agent: the config is validated before anything runs (exit 2, file:line:col)', () => {
  const sinks = 'sinks:\n  - type: dotenv\n    path: .env\n'
  const cases: [string, string, RegExp][] = [
    ['an unknown key', `watches:\n  - project: shop\n    environment: dev\n    pollinterval: 5\n${sinks}`, /bella-agent\.yaml:4:5: watches\[0\]: unknown key "pollinterval" \(did you mean "poll-interval"\?\) \(allowed: project, environment, provider, poll-interval\)/],
    ['a wrong type', `watches:\n  - project: shop\n    environment: [dev]\n${sinks}`, /bella-agent\.yaml:3:18: watches\[0\]\.environment: must be a string, not a list/],
    ['an unknown sink type', 'watches: [{project: shop, environment: dev}]\nsinks:\n  - type: toml\n    path: x\n', /bella-agent\.yaml:3:11: sinks\[0\]\.type: unknown sink type "toml" \(allowed: dotenv, json, shell, yaml; a plugin can add more/],
    ['an unknown signal', `watches: [{project: shop, environment: dev}]\n${sinks}process:\n  signal: sigusr1\n  pid-file: app.pid\n`, /bella-agent\.yaml:6:11: process\.signal: unknown signal type "sigusr1" \(allowed: none, sighup, sigterm\)/],
    ['the restart signal (needs a process bella started)', `watches: [{project: shop, environment: dev}]\n${sinks}process:\n  signal: restart\n  pid-file: app.pid\n`, /bella-agent\.yaml:6:11: process\.signal: signal "restart" needs a process bella started itself.*\(allowed: none, sighup, sigterm\)/],
    ['empty watches', `watches: []\n${sinks}`, /bella-agent\.yaml:1:10: watches: must not be empty: list at least one entry/],
    ['empty sinks', 'watches: [{project: shop, environment: dev}]\nsinks:\n', /bella-agent\.yaml:2:1: sinks: must not be empty/],
    ['poll-interval 2', `watches:\n  - project: shop\n    environment: dev\n    poll-interval: 2\n${sinks}`, /bella-agent\.yaml:4:20: watches\[0\]\.poll-interval: 2 is out of range \(allowed: a whole number of seconds from 5 to 86400\)/],
    ['a missing ${VAR}', `watches:\n  - project: shop\n    environment: \${AGENT_TEST_UNSET}\n${sinks}`, /bella-agent\.yaml:3:18: watches\[0\]\.environment: environment variable AGENT_TEST_UNSET is not set \(allowed: set AGENT_TEST_UNSET, or give a default/],
    ['a bad sink option', 'watches: [{project: shop, environment: dev}]\nsinks:\n  - type: dotenv\n    path: .env\n    mode: 0600\n', /bella-agent\.yaml:5:11: sinks\[0\]: the dotenv sink refused its options: option "mode" must be a file mode/],
  ]
  it.each(cases)('%s', async (_name, config, expected) => {
    const dir = project(config)
    emulator.clearRequests()
    const r = await once(dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(expected)
    expect(r.stdout).toBe('')
    expect(readdirSync(dir)).toEqual(['bella-agent.yaml'])
    expect(emulator.requests()).toHaveLength(0)
  })

  it('with --log-format json the error is a JSON event listing every problem', async () => {
    const dir = project('watches:\n  - project: shop\n    poll-interval: 1\nsinks: []\nextra: true\n')
    const r = await bella(['agent', '--log-format', 'json'], {cwd: dir, env: agentEnv(emulator.url, shopKey)})
    expect(r.code).toBe(2)
    const [event] = jsonEvents(r.stderr)
    expect(event).toMatchObject({event: 'error', exitCode: 2, code: 'invalid_agent_config'})
    expect(event!.problems).toEqual([
      'bella-agent.yaml:5:1: unknown key "extra" (allowed: watches, sinks, process)',
      'bella-agent.yaml:2:5: watches[0]: missing required key "environment" (allowed: an environment slug)',
      'bella-agent.yaml:3:20: watches[0].poll-interval: 1 is out of range (allowed: a whole number of seconds from 5 to 86400)',
      'bella-agent.yaml:4:8: sinks: must not be empty: list at least one entry (allowed: a list of {type, …sink options})',
    ])
  })

  it('no config file: exit 2 pointing at --init; -c names another file', async () => {
    const dir = mkdtempSync(join(root, 'empty-'))
    const r = await bella(['agent'], {cwd: dir, env: agentEnv(emulator.url, shopKey)})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('cannot read the agent config bella-agent.yaml: no such file')
    expect(r.stderr).toContain('bella agent --init')
    const other = await bella(['agent', '-c', 'conf/agent.yml'], {cwd: dir, env: agentEnv(emulator.url, shopKey)})
    expect(other.code).toBe(2)
    expect(other.stderr).toContain('conf/agent.yml: no such file')
  })
})

describe('bella agent --init', () => {
  it('writes a commented starter that is itself valid, and refuses to overwrite it (exit 2)', async () => {
    const dir = mkdtempSync(join(root, 'init-'))
    const env = agentEnv(emulator.url, starterKey)
    const r = await bella(['agent', '--init'], {cwd: dir, env})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('wrote bella-agent.yaml')
    const text = readFileSync(join(dir, 'bella-agent.yaml'), 'utf8')
    expect(text).toMatch(/^#/)
    expect(text).toContain('project: my-project')
    expect(text).toContain('# provider: aws-prod')

    // Valid: the starter's project exists in this emulator, so it runs (its app.pid does not exist yet).
    const run = await bella(['agent', '--once'], {cwd: dir, env})
    expect(run.code).toBe(0)
    expect(parseDotenv(readFileSync(join(dir, '.env')))).toEqual({STARTER: VALUES.STARTER})
    expect(run.stderr).toContain('Warning: not signalling: pid-file ./app.pid does not exist')

    const again = await bella(['agent', '--init'], {cwd: dir, env})
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('bella-agent.yaml already exists; not overwriting it')
    expect(readFileSync(join(dir, 'bella-agent.yaml'), 'utf8')).toBe(text)

    const elsewhere = await bella(['agent', '--init', '-c', 'agent.yaml'], {cwd: dir, env})
    expect(elsewhere.code).toBe(0)
    expect(readFileSync(join(dir, 'agent.yaml'), 'utf8')).toBe(text)
  })
})

describe('bella agent: 10,000 secrets', () => {
  // Correctness at size only: how fast is `npm run bench`'s business (docs/benchmarks.md).
  it('--once writes all of them to a dotenv and a json sink', async () => {
    const secrets: Record<string, string> = {}
    for (let i = 0; i < 10_000; i++) secrets[`SECRET_${String(i).padStart(5, '0')}`] = `value-${i}-${'x'.repeat(40)}`
    const big = await startEmulator({port: 0, seed: {projects: [{slug: 'big', environments: [{slug: 'prod', providers: [{slug: 'vault', secrets}]}]}]}})
    try {
      const dir = project('watches: [{project: big, environment: prod}]\nsinks:\n  - {type: dotenv, path: big.env}\n  - {type: json, path: big.json}\n')
      const r = await bella(['agent', '--once', '--log-format', 'json'], {cwd: dir, env: agentEnv(big.url, big.apiKey), timeoutMs: 60_000})
      expect(r.code).toBe(0)
      expect(jsonEvents(r.stderr).filter((e) => e.event === 'written')).toHaveLength(2)
      expect(Object.keys(parseDotenv(readFileSync(join(dir, 'big.env'))))).toHaveLength(10_000)
      expect(JSON.parse(readFileSync(join(dir, 'big.json'), 'utf8'))).toEqual(secrets)
    } finally {
      await big.close()
    }
  }, 90_000)
})
