/**
 * `bella agent`'s sink files under hostile conditions, end to end (the real bin/run.js against an
 * in-process emulator): temp files a killed agent left behind, symbolic links and special files as
 * sink targets, and group-readable modes.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn, spawnSync} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentSeed, leaked, VALUES, type AgentEvent} from '../fixtures/agent-harness.js'
import {bella, bellaBin} from '../helpers/cli.js'

let emulator: Emulator
let root: string
let key: string

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  key = emulator.apiKeys[0]!.key
  root = mkdtempSync(join(tmpdir(), 'bella-agent-sink-files-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

// Like agentEnv, but HOME inside the test's own folder, removed with it.
const agentEnvIn = (folder: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: join(folder, 'home'),
  XDG_CONFIG_HOME: join(folder, 'home', '.config'),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: key,
})

let counter = 0
function project(config: string): string {
  const dir = join(root, `p${++counter}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'bella-agent.yaml'), config)
  return dir
}

const dotenvConfig = (path = '.env', extra = '') => `watches:
  - project: shop
    environment: dev
sinks:
  - type: dotenv
    path: ${path}
${extra}`

const once = (dir: string, args: string[] = []) => bella(['agent', '--once', '--log-format', 'json', ...args], {cwd: dir, env: agentEnvIn(root)})

const events = (stderr: string): AgentEvent[] =>
  stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentEvent)

/** Fails with names only: a value in a log is the bug, printing it again would repeat it. */
const expectNoValues = (...outputs: string[]) => expect(leaked(outputs.join('\n'))).toEqual([])

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout)
}

describe('stale temp files', () => {
  it('are removed at start-up, for each sink, even when the fetch then fails', async () => {
    const dir = project(dotenvConfig())
    const dead = deadPid()
    const stale = [`.env.bella-${dead}-0123456789ab.tmp`, `..env.${dead}.0123456789ab.tmp`]
    const kept = [`other.bella-${dead}-0123456789ab.tmp`, '.env.example']
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), `DATABASE_URL=${VALUES.DATABASE_URL}\n`)
    emulator.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/projects/shop'})
    let result
    try {
      result = await once(dir)
    } finally {
      emulator.clearFaults()
    }
    expect(result.code).toBe(4)
    expect(readdirSync(dir).sort()).toEqual(['bella-agent.yaml', ...kept].sort())
    const notice = events(result.stderr).find((e) => e.event === 'notice')
    expect(notice?.['removed']).toEqual(expect.arrayContaining(stale))
    expectNoValues(result.stdout, result.stderr)
  })
})

describe('sink targets', () => {
  it('writes through a symbolic link to a regular file and keeps the link', async () => {
    const dir = project(dotenvConfig('.env'))
    mkdirSync(join(dir, 'volume'))
    writeFileSync(join(dir, 'volume', 'app.env'), 'OLD=1\n')
    symlinkSync(join(dir, 'volume', 'app.env'), join(dir, '.env'))
    const result = await once(dir)
    expect(result.code).toBe(0)
    expect(lstatSync(join(dir, '.env')).isSymbolicLink()).toBe(true)
    expect(parseDotenv(readFileSync(join(dir, 'volume', 'app.env')))).toMatchObject({DATABASE_URL: VALUES.DATABASE_URL})
    expect(readdirSync(join(dir, 'volume'))).toEqual(['app.env'])
    expectNoValues(result.stdout, result.stderr)
  })

  it('refuses a FIFO as a sink target with an error naming it, and feeds it nothing', async () => {
    const dir = project(dotenvConfig('pipe'))
    expect(spawnSync('mkfifo', [join(dir, 'pipe')]).status).toBe(0)
    const result = await once(dir)
    expect(result.code).not.toBe(0)
    expect(lstatSync(join(dir, 'pipe')).isFIFO()).toBe(true)
    const failed = events(result.stderr).find((e) => e.event === 'write-failed')
    expect(failed?.message).toMatch(/pipe is a FIFO \(named pipe\), not a regular file/)
    // There was something there, but it was never a file of secrets: no "previous content" claim.
    expect(failed?.message).not.toContain('previous content')
    expectNoValues(result.stdout, result.stderr)
  })

  it('does not claim a previous content for a file that never existed', async () => {
    const dir = project(dotenvConfig('blocker/.env'))
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be\n')
    const result = await once(dir)
    expect(result.code).toBe(1)
    const failed = events(result.stderr).find((e) => e.event === 'write-failed')
    expect(failed?.message).toContain(join(dir, 'blocker', '.env'))
    expect(failed?.message).not.toContain('previous content')
    expect(failed?.message).toContain('it did not exist and was not created')
  })

  it('warns, naming the file, when a sink mode makes it group- or world-readable', async () => {
    const dir = project(`watches:
  - project: shop
    environment: dev
sinks:
  - type: dotenv
    path: .env
    mode: "0644"
  - type: json
    path: secrets.json
`)
    const result = await once(dir)
    expect(result.code).toBe(0)
    const warnings = events(result.stderr).filter((e) => e.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain(`mode 0644 makes ${join(dir, '.env')} group- and world-readable`)
  })
})
