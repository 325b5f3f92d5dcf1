/**
 * `bella agent` hardening, end to end (the real bin/run.js against an in-process emulator): temp
 * files a killed agent left behind, a closed stderr, symbolic links and special files as sink
 * targets, group-readable modes, and secret names YAML cannot hold as implicit keys.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentEnv, agentSeed, leaked, VALUES, type AgentEvent} from '../fixtures/agent-harness.js'
import {bella, bellaBin} from '../helpers/cli.js'

let emulator: Emulator
let root: string
let key: string

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  key = emulator.apiKeys[0]!.key
  root = mkdtempSync(join(tmpdir(), 'bella-agent-hardening-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
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

const once = (dir: string, args: string[] = []) => bella(['agent', '--once', '--log-format', 'json', ...args], {cwd: dir, env: agentEnv(emulator.url, key)})

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
