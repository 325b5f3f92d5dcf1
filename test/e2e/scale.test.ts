/**
 * Scale, end to end (the real bin/run.js against an in-process emulator on loopback): 10,000
 * secrets through `bella run`, and one agent keeping 50 watches in one pair of files. Values are
 * checked through digests and parsed files, never printed; every wait is on an event, bounded.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {startEmulator, type Emulator, type EmulatorSeed} from '../../plugins/emulator/src/index.js'
import {AgentProc, leaked} from '../fixtures/agent-harness.js'
import {bella} from '../helpers/cli.js'

const SECRETS = 10_000
const ENVIRONMENTS = 50
const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** 10,000 values of varied shape: spaces, quotes, `=`, `$`, `#`, unicode, newlines, empty. */
function manySecrets(): Record<string, string> {
  const shapes = [
    (i: number) => `plain-${i}-${createHash('sha256').update(String(i)).digest('hex').slice(0, 24)}`,
    (i: number) => `with spaces and "quotes" 'too' #${i} $HOME = x`,
    (i: number) => `unicode é ✓ 日本 ${i}`,
    (i: number) => `multi\nline\n${i}`,
    () => '',
  ]
  const secrets: Record<string, string> = {}
  for (let i = 0; i < SECRETS; i++) secrets[`SCALE_${pad(i, 5)}`] = shapes[i % shapes.length]!(i)
  return secrets
}

/** What the child computes: how many SCALE_* variables it got, and a digest of names and values. */
function digestOf(entries: [string, string][]): string {
  const hash = createHash('sha256')
  for (const [name, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(`${JSON.stringify(name)}=${JSON.stringify(value)}\n`)
  return hash.digest('hex')
}
const CHILD = `
const {createHash} = require('node:crypto')
const entries = Object.entries(process.env).filter(([name]) => name.startsWith('SCALE_'))
const hash = createHash('sha256')
for (const [name, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(JSON.stringify(name) + '=' + JSON.stringify(value) + '\\n')
process.stdout.write(JSON.stringify({count: entries.length, digest: hash.digest('hex')}))
`

const fleetValue = (n: number) => `fleet-${pad(n, 2)}-${createHash('sha256').update(`fleet ${n}`).digest('hex').slice(0, 16)}`

function seed(secrets: Record<string, string>): EmulatorSeed {
  return {
    keys: [
      {name: 'scale key', project: 'scale', environment: 'big'},
      {name: 'fleet key', project: 'fleet'},
    ],
    projects: [
      {slug: 'scale', environments: [{slug: 'big', providers: [{slug: 'vault', secrets}]}]},
      {
        slug: 'fleet',
        environments: Array.from({length: ENVIRONMENTS}, (_, n) => ({
          slug: `e${pad(n, 2)}`,
          providers: [{slug: 'vault', secrets: {[`E${pad(n, 2)}_VALUE`]: fleetValue(n), SHARED: `shared-from-${n}`}}],
        })),
      },
    ],
  }
}

let emulator: Emulator
let root: string
let secrets: Record<string, string>
beforeAll(async () => {
  secrets = manySecrets()
  emulator = await startEmulator({port: 0, seed: seed(secrets)})
  root = mkdtempSync(join(tmpdir(), 'bella-scale-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

// HOME inside the test's own folder, removed with it.
const env = (key: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: join(root, 'home'),
  XDG_CONFIG_HOME: join(root, 'home', '.config'),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: key,
})

describe('bella run with 10,000 secrets', () => {
  it('hands the child every one of them, exactly (count and digest computed in the child)', async () => {
    const r = await bella(['run', '--', process.execPath, '-e', CHILD], {env: env(emulator.apiKeys[0]!.key), timeoutMs: 60_000})
    // Names only, if anything leaked: the first values of each shape are enough to tell.
    expect(leaked(r.stdout + r.stderr, Object.fromEntries(Object.entries(secrets).slice(0, 4)))).toEqual([])
    expect([r.code, r.stderr]).toEqual([0, ''])
    const seen = JSON.parse(r.stdout) as {count: number; digest: string}
    expect(seen.count).toBe(SECRETS)
    expect(seen.digest).toBe(digestOf(Object.entries(secrets)))
  }, 90_000)
})

describe('bella agent with 50 watches', () => {
  let agent: AgentProc | undefined
  afterAll(() => agent?.cleanup())

  it('writes all 50 environments into one dotenv and one json file, and rewrites them when one changes', async () => {
    const dir = join(root, 'fleet')
    mkdirSync(dir)
    const watches = Array.from({length: ENVIRONMENTS}, (_, n) => `  - {project: fleet, environment: e${pad(n, 2)}, poll-interval: 5}\n`).join('')
    writeFileSync(join(dir, 'bella-agent.yaml'), `watches:\n${watches}sinks:\n  - {type: dotenv, path: .env}\n  - {type: json, path: secrets.json}\n`)
    const values = Object.fromEntries(Array.from({length: ENVIRONMENTS}, (_, n) => [`E${pad(n, 2)}_VALUE`, fleetValue(n)]))
    const expected = {...values, SHARED: `shared-from-${ENVIRONMENTS - 1}`}
    agent = new AgentProc(['--log-format', 'json'], env(emulator.apiKeys[1]!.key), dir)

    const first = await agent.waitFor((e) => e.event === 'written' && e['target'] === join(dir, 'secrets.json'))
    await agent.waitFor((e) => e.event === 'written' && e['target'] === join(dir, '.env'))
    expect(leaked(agent.stdout + agent.stderr, values)).toEqual([])
    expect(agent.events().filter((e) => e.event === 'fetched')).toHaveLength(ENVIRONMENTS)
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual(expected)
    expect(parseDotenv(readFileSync(join(dir, '.env')))).toEqual(expected)

    const rotated = 'rotated-in-e23-7f1c2d'
    emulator.setSecrets({project: 'fleet', environment: 'e23'}, {set: {E23_VALUE: rotated}})
    const after = agent.events().length
    await agent.waitFor((e) => e.event === 'written' && e['target'] === join(dir, 'secrets.json'), first.index + 1)
    await agent.waitFor((e) => e.event === 'written' && e['target'] === join(dir, '.env'), first.index + 1)
    expect(leaked(agent.stdout + agent.stderr, {...values, rotated})).toEqual([])
    const changed = agent.events().slice(after).filter((e) => e.event === 'fetched')
    expect(changed.map((e) => e['watch'])).toEqual(['fleet/e23'])
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual({...expected, E23_VALUE: rotated})
    expect(parseDotenv(readFileSync(join(dir, '.env')))).toEqual({...expected, E23_VALUE: rotated})
  }, 90_000)
})
