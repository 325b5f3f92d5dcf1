/**
 * Signals sent to bella's whole process group, as `timeout`, CI runners, process managers and
 * `kill -- -PGID` send them: without a terminal, bella's child has a process group of its own, so
 * it gets each such signal exactly once (from bella), and a stop reaches its own children too.
 * `bella run` (the fast path) and `bella exec` are checked; `--watch` has done this all along.
 *
 * bella is started in its own session with no terminal (detached, piped stdio). The tests wait for
 * the fixtures' lines and bounded probes, never for a fixed time.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bellaBin, fixtures, isolatedHome, repoRoot} from '../helpers/cli.js'
import {until} from '../helpers/watch-harness.js'

const WAIT_MS = 15_000
let emulator: Emulator
let dir: string
const started: Started[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  dir = mkdtempSync(join(tmpdir(), 'bella-run-pgroup-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})
afterEach(() => {
  for (const s of started.splice(0)) s.cleanup()
})

interface Started {
  proc: ChildProcess
  out: () => string
  err: () => string
  exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  cleanup: () => void
}

/** `bella <args>` in a session of its own, without a terminal; output collected for waiting. */
function start(args: string[]): Started {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ...isolatedHome(),
    BELLA_BAXTER_URL: emulator.url,
    BELLA_BAXTER_API_KEY: emulator.apiKey,
  }
  const proc = spawn(process.execPath, [bellaBin, ...args], {cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
  let out = ''
  let err = ''
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => proc.once('exit', (code, signal) => resolve({code, signal})))
  const s: Started = {
    proc,
    out: () => out,
    err: () => err,
    exit,
    cleanup() {
      // bella's group, the child's group (its pid), and any grandchild still running a fixture's sleep.
      for (const pid of [proc.pid, Number(out.match(/ready pid=(\d+)/)?.[1])]) {
        try {
          if (pid) process.kill(-pid, 'SIGKILL')
        } catch {}
      }
      for (const pid of kidsOf(out)) if (running(pid)) process.kill(pid, 'SIGKILL')
    },
  }
  started.push(s)
  return s
}

const line = (s: Started, pattern: RegExp) =>
  until(`${pattern} (stdout ${JSON.stringify(s.out())}, stderr ${JSON.stringify(s.err())})`, () => s.out().match(pattern) ?? undefined, WAIT_MS)
const recorded = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
const kidsOf = (out: string) => (out.match(/kids=([\d,]+)/)?.[1] ?? '').split(',').filter(Boolean).map(Number)

/** True while `pid` is a live (not zombie) `sleep`: never mistakes a reused pid for a grandchild. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
    return stat.includes('(sleep)') && state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

const trap = (file: string) => ['--', process.execPath, join(fixtures, 'lifecycle-trap.js'), file, 'exit-on=SIGINT', 'cleanup-ms=250', 'code=7']

describe.each([
  ['bella run', (file: string) => ['run', ...trap(file)]],
  ['bella exec', (file: string) => ['exec', ...trap(file)]],
])('%s without a terminal: signals sent to the process group', (_name, argv) => {
  it('reach the child exactly once (kill -- -PGID), and the child is in a process group of its own', async () => {
    const file = join(dir, `${_name.replace(' ', '-')}-once`)
    const s = start(argv(file))
    const childPid = Number((await line(s, /ready pid=(\d+)/))[1])
    // getpgid from /proc: the child leads its own group, not bella's.
    const stat = readFileSync(`/proc/${childPid}/stat`, 'utf8')
    const childGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])

    process.kill(-s.proc.pid!, 'SIGUSR1')
    await line(s, /got SIGUSR1/)
    // A marker sent to bella alone: bella forwards in order, so a doubled SIGUSR1 lands before it.
    process.kill(s.proc.pid!, 'SIGUSR2')
    await line(s, /got SIGUSR2/)
    // The child ends on the SIGINT and lingers 250 ms while recording: a duplicate would show.
    process.kill(-s.proc.pid!, 'SIGINT')
    expect(await s.exit).toEqual({code: 7, signal: null})
    expect(recorded(file)).toEqual(['SIGUSR1', 'SIGUSR2', 'SIGINT'])
    expect(childGroup).toBe(childPid)
  })
})

describe('bella run without a terminal: a stop reaches the whole command', () => {
  it("SIGTERM to bella also ends the command's own children (as under --watch)", async () => {
    const s = start(['run', '--', process.execPath, join(fixtures, 'grandchildren.js')])
    await line(s, /ready pid=\d+ kids=\d+,\d+/)
    const kids = kidsOf(s.out())
    expect(kids.filter(running)).toHaveLength(2)
    process.kill(s.proc.pid!, 'SIGTERM')
    expect(await s.exit).toEqual({code: 128 + 15, signal: null})
    // The signal was sent before bella exited; the sleeps end as soon as they are scheduled.
    await until(`the grandchildren ${kids} to end`, () => kids.every((pid) => !running(pid)), WAIT_MS)
  })
})
