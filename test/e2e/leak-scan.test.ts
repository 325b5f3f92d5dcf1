/**
 * A leak scan across bella's commands, end to end (bin/run.js against an in-process emulator):
 * no seeded secret value, no API key's secret part and no issued token ever appears on stderr, or
 * on stdout beyond the one result a command exists to print (the token of `issue`, the new key of
 * `api-keys create`). Covers the happy paths (run, run --verbose, agent --once --verbose in text
 * and JSON, exec, whoami --json) and the error paths (wrong key, unknown project, unreachable API,
 * malformed config, a refused login).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {leaked} from '../fixtures/agent-harness.js'
import {controlIn} from '../helpers/abuse.js'
import {bella, type CliResult} from '../helpers/cli.js'

const ADMIN_KEY = `bax-${'a7'.repeat(16)}-${'5e'.repeat(32)}`
/** Well-formed keys the server does not know: an unknown id, and the admin's id with a wrong secret. */
const UNKNOWN_KEY = `bax-${'d7'.repeat(16)}-${'6f'.repeat(32)}`
const WRONG_SECRET_KEY = `bax-${'a7'.repeat(16)}-${'7a'.repeat(32)}`

/** Distinctive values; those under a withheld name (invalid, reserved, sealed, NUL) must not leak either. */
const VALUES: Record<string, string> = {
  DATABASE_URL: 'postgres://shop:pw-Lk7Qz9Lm@db.internal:5432/shop',
  TRICKY: 'tricky-Lk2 "q" # $HOME \\ é\nsecond-line-Lk2',
  'bad name': 'bad-name-value-Lk3',
  PATH: '/leaky/path-Lk4',
  SEALED: 'bellabaxter:v1:sealed-blob-Lk5',
  WITH_NUL: 'nul-value-Lk6\u0000tail-Lk6',
  // A name that tries to retitle the terminal, return the carriage and forge a line.
  'EVIL\u001b]0;pwned\u0007\r\nwarning: all good \u009b2J': 'evil-value-Lk7',
}

let emulator: Emulator
let root: string
let home: string
let config: string
let issued: CliResult
let created: CliResult

/** Every secret that must not appear: values, key secrets, the issued token and the created key. */
function forbidden(): Record<string, string> {
  const keys: Record<string, string> = {ADMIN_KEY, UNKNOWN_KEY, WRONG_SECRET_KEY}
  if (issued) keys['issued token'] = issued.stdout.trim()
  if (created) keys['created key'] = created.stdout.trim()
  const secrets: Record<string, string> = {}
  for (const [name, key] of Object.entries(keys)) if (key) secrets[`${name} (secret part)`] = key.split('-')[2] ?? key
  for (const [name, value] of Object.entries(VALUES)) {
    secrets[name] = value
    for (const [i, part] of value.split(/[\n\0]/).entries()) if (part.length >= 8) secrets[`${name} (part ${i})`] = part
  }
  return secrets
}

const env = (apiKey = ADMIN_KEY, extra: Record<string, string> = {}) => ({
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  BELLA_CREDENTIAL_STORE: 'file',
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: apiKey,
  ...extra,
})

/** Names only in a failure: printing the leaked value again would repeat the leak. */
function expectNoLeak(r: CliResult, allowedStdout?: string): void {
  const stdout = allowedStdout !== undefined && r.stdout === `${allowedStdout}\n` ? '' : r.stdout
  expect({stdout: leaked(stdout, forbidden()), stderr: leaked(r.stderr, forbidden())}).toEqual({stdout: [], stderr: []})
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bella-leak-scan-'))
  home = join(root, 'home')
  mkdirSync(home)
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [{key: ADMIN_KEY, name: 'admin', project: 'shop', environment: 'dev', role: 'ADMIN'}],
      projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: VALUES}]}]}],
    },
  })
  config = join(root, 'agent')
  mkdirSync(config)
  writeFileSync(join(config, 'bella-agent.yaml'), 'watches:\n  - project: shop\n    environment: dev\nsinks:\n  - type: json\n    path: ./out/secrets.json\n')
  issued = await bella(['issue', '--scope', 'stripe'], {env: env()})
  created = await bella(['api-keys', 'create', '--name', 'leak scan', '--expires-in-days', '1'], {env: env()})
})
afterAll(async () => {
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

// An absolute path: with --allow-reserved-env the secrets' PATH is the one the command is looked up in.
const quiet = [process.execPath, '-e', 'process.exit(0)']

describe('no secret, key or token in what bella prints', () => {
  it('issue: the token alone on stdout, nowhere else', () => {
    expect(issued.code).toBe(0)
    expect(issued.stdout).toMatch(/^bax-[0-9a-f]{32}-[0-9a-f]{64}\n$/)
    expectNoLeak(issued, issued.stdout.trim())
  })

  it('api-keys create: the new key alone on stdout, nowhere else', () => {
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^bax-[0-9a-f]{32}-[0-9a-f]{64}\n$/)
    expectNoLeak(created, created.stdout.trim())
  })

  it.each([
    ['run', ['run', '--', ...quiet]],
    ['run --verbose', ['run', '--verbose', '--', ...quiet]],
    ['run --allow-reserved-env --verbose', ['run', '--allow-reserved-env', '--verbose', '--', ...quiet]],
    ['exec', ['exec', '--', ...quiet]],
    ['whoami --json', ['whoami', '--json']],
    ['whoami --verbose', ['whoami', '--verbose']],
    ['api-keys list --json', ['api-keys', 'list', '--json']],
  ])('%s succeeds and prints none', async (_, args) => {
    const r = await bella(args, {env: env()})
    expect(r.code).toBe(0)
    expectNoLeak(r)
  })

  it('run warns about every withheld secret by name, never by value', async () => {
    const r = await bella(['run', '--', ...quiet], {env: env()})
    expect(r.stderr).toContain('"bad name"')
    expect(r.stderr).toContain('PATH')
    expect(r.stderr).toContain('SEALED')
    expect(r.stderr).toContain('WITH_NUL')
    expect(r.stderr).toContain('"EVIL\\u001b]0;pwned\\u0007\\r\\nwarning: all good \\u009b2J"')
    // One warning line: the hostile name neither adds a line nor carries a control character.
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(controlIn(r.stderr)).toBeUndefined()
    expectNoLeak(r)
  })

  it.each([['text'], ['json']])('agent --once --verbose, %s log: writes the file, prints no value', async (format) => {
    const r = await bella(['agent', '--once', '--verbose', '--log-format', format], {cwd: config, env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('secrets.json')
    if (format === 'json') for (const line of r.stderr.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow()
    expect(controlIn(r.stderr)).toBeUndefined()
    expectNoLeak(r)
  })

  it('a token issued by bella, used as the key, is not printed either', async () => {
    const r = await bella(['run', '--verbose', '--', ...quiet], {env: env(issued.stdout.trim())})
    expectNoLeak(r)
  })

  it.each([
    ['an unknown key', ['run', '--', ...quiet], () => env(UNKNOWN_KEY), 3],
    ['a wrong secret for a known key id', ['run', '--verbose', '--', ...quiet], () => env(WRONG_SECRET_KEY), 3],
    ['a wrong key, --json', ['whoami', '--json'], () => env(WRONG_SECRET_KEY), 3],
    ['an unknown project', ['run', '-p', 'nope', '-e', 'dev', '--', ...quiet], () => env(), undefined],
    ['an unreachable API', ['run', '--verbose', '--', ...quiet], () => env(ADMIN_KEY, {BELLA_BAXTER_URL: 'http://127.0.0.1:1'}), 4],
    ['an unreachable API, agent json log', ['agent', '--once', '--log-format', 'json'], () => env(ADMIN_KEY, {BELLA_BAXTER_URL: 'http://127.0.0.1:1'}), 4],
    ['a refused login', ['login', '--api-key', WRONG_SECRET_KEY], () => env(ADMIN_KEY), 3],
  ])('%s: fails without printing a secret', async (_, args, makeEnv, code) => {
    const r = await bella(args, {cwd: config, env: makeEnv()})
    expect(r.code).not.toBe(0)
    if (code !== undefined) expect(r.code).toBe(code)
    expectNoLeak(r)
  })

  it('a malformed agent config: exit 2 naming file:line:col, no secret', async () => {
    const dir = join(root, 'bad-config')
    mkdirSync(dir)
    writeFileSync(join(dir, 'bella-agent.yaml'), `watches:\n  - project: shop\n    environment: dev\n    poll-interval: "${VALUES.DATABASE_URL}"\nsinks: [{type: json, path: x}]\n`)
    const r = await bella(['agent', '--once'], {cwd: dir, env: env()})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bella-agent\.yaml:4:\d+/)
    // The file's own text is the user's and may be quoted; the API's values and keys are not.
    expect(leaked(r.stdout + r.stderr, {...forbidden(), DATABASE_URL: 'never-fetched'})).toEqual([])
  })
})
