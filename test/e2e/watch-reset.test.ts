/**
 * Change detection after a server reset: the environment's version goes back, then a change lands
 * on the very version number bella already had. Comparing version numbers alone misses it; bella
 * compares what the version endpoint says (version and lastModified) and, when it differs in any
 * way, fetches and compares the secrets themselves. `bella run --watch` and `bella agent`, the real
 * bin/run.js against the emulator, which can set the version back (`version` in a change).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {AgentProc} from '../fixtures/agent-harness.js'
import {bellaBin} from '../helpers/cli.js'

let emulator: Emulator
let dir: string
const demo = {project: 'demo', environment: 'dev'}
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  dir = mkdtempSync(join(tmpdir(), 'bella-watch-reset-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// HOME inside the test's own folder, removed with it.
const env = () => ({PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})
const version = () => emulator.state.requireEnvironment(emulator.state.requireProject('demo'), 'dev').version

describe('a change that lands on the version bella already had', () => {
  it('restarts bella run --watch with the new secrets', async () => {
    emulator.setSecrets(demo, {set: {RESET_CHECK: 'before'}})
    const had = version()
    const starts = join(dir, 'run-starts')
    const program = `require('fs').appendFileSync(${JSON.stringify(starts)}, process.env.RESET_CHECK + '\\n'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0))`
    const bella = spawn(process.execPath, [bellaBin, 'run', '--watch', '--poll-interval', '5', '-p', 'demo', '-e', 'dev', '--', 'node', '-e', program], {env: env(), stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    bella.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => bella.on('close', (code) => resolve(code)))
    const lines = () => (existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').filter(Boolean) : [])
    try {
      await until('the first start', () => lines().length === 1)
      // A reset, then edits, arriving at the same version number with other values.
      emulator.setSecrets(demo, {set: {RESET_CHECK: 'after-reset'}, version: had})
      expect(version()).toBe(had)
      await until(`the restart (stderr so far: ${stderr})`, () => lines().length === 2)
      expect(lines()).toEqual(['before', 'after-reset'])
    } finally {
      bella.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 60_000)

  it('makes bella agent rewrite its file', async () => {
    emulator.setSecrets(demo, {set: {RESET_AGENT: 'before'}})
    const had = version()
    const project = mkdtempSync(join(dir, 'agent-'))
    writeFileSync(join(project, 'bella-agent.yaml'), 'watches:\n  - project: demo\n    environment: dev\n    poll-interval: 5\nsinks:\n  - type: json\n    path: out.json\n')
    const agent = new AgentProc(['--log-format', 'json'], env(), project)
    try {
      const first = await agent.waitForEvent('written')
      emulator.setSecrets(demo, {set: {RESET_AGENT: 'after-reset'}, version: had})
      await agent.waitForEvent('written', {}, first.index + 1)
      expect(JSON.parse(readFileSync(join(project, 'out.json'), 'utf8')).RESET_AGENT).toBe('after-reset')
      agent.kill('SIGTERM')
      expect(await agent.exit).toEqual({code: 0, signal: null})
    } finally {
      agent.cleanup()
    }
  }, 60_000)
})
