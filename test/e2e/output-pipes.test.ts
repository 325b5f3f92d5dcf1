/**
 * bella's own output must never kill it: with the reader of its stderr gone, a warning raises
 * EPIPE, and bella carries on (the real bin/run.js, its stderr pipe closed by the test before
 * bella writes anything). `run` keeps supervising and exits with the command's status, `--watch`
 * restarts the command on a change, and the agent writes its files.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bellaBin} from '../helpers/cli.js'

let emulator: Emulator
let dir: string
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  // A reserved name: bella withholds it with a warning on stderr, its first write there.
  emulator.setSecrets({project: 'demo', environment: 'dev'}, {set: {LD_PRELOAD: '/tmp/evil.so'}})
  dir = mkdtempSync(join(tmpdir(), 'bella-output-pipes-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})

// HOME inside the test's own folder, removed with it.
const env = () => ({PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})

/** Runs bella with its stderr pipe closed at once; resolves its exit. Killed after 60 s at most. */
function withClosedStderr(args: string[], cwd = dir, onStart?: (pid: number) => void): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
  const child = spawn(process.execPath, [bellaBin, ...args], {cwd, env: env(), stdio: ['ignore', 'ignore', 'pipe']})
  child.stderr!.destroy()
  onStart?.(child.pid!)
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal})
    })
  })
}

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a closed stderr', () => {
  it('does not stop bella run: the command runs and its exit status is bella’s', async () => {
    const marker = join(dir, 'run-ran')
    const result = await withClosedStderr(['run', '-p', 'demo', '-e', 'dev', '--', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); process.exit(7)`])
    expect(existsSync(marker)).toBe(true)
    expect(result).toEqual({code: 7, signal: null})
  })

  it('does not stop bella agent --once from writing its files', async () => {
    const project = mkdtempSync(join(dir, 'agent-'))
    writeFileSync(join(project, 'bella-agent.yaml'), 'watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: json\n    path: out.json\n')
    const result = await withClosedStderr(['agent', '--once'], project)
    expect(result).toEqual({code: 0, signal: null})
    expect(JSON.parse(readFileSync(join(project, 'out.json'), 'utf8'))).toHaveProperty('LD_PRELOAD')
  })

  it('does not stop bella run --watch from restarting the command on a change', async () => {
    const starts = join(dir, 'watch-starts')
    const program = `require('fs').appendFileSync(${JSON.stringify(starts)}, (process.env.ROTATED ?? '-') + '\\n'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0))`
    let bellaPid = 0
    const exit = withClosedStderr(['run', '--watch', '--poll-interval', '5', '-p', 'demo', '-e', 'dev', '--', 'node', '-e', program], dir, (pid) => (bellaPid = pid))
    const lines = () => (existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').filter(Boolean) : [])
    try {
      await until('the first start', () => lines().length === 1)
      emulator.setSecrets({project: 'demo', environment: 'dev'}, {set: {ROTATED: 'r1'}})
      await until('the restart with the new secret', () => lines().length === 2)
      expect(lines()).toEqual(['-', 'r1'])
    } finally {
      process.kill(bellaPid, 'SIGTERM')
    }
    const result = await exit
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0) // the command's own status after the forwarded SIGTERM
  }, 60_000)
})
