/**
 * The container recipe of examples/docker/, without Docker (CI cannot run it): the prebuilt single
 * executable (dist/binary/bella, `npm run build:binary`) runs the Dockerfiles' entrypoint line,
 * `bella run -- CMD`, as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`), the
 * way `docker run` starts it: from an empty folder, under a minimal environment with no node on
 * PATH (PATH is a folder of a few symlinked tools, because this machine's /usr/bin holds node), and
 * with the key only in the environment. So the programs bella runs are /bin/sh scripts.
 *
 * The API is `bella emulator --port 0`, started with the same binary. Tests wait for lines the
 * scripts print and for /proc states, each bounded, never for a fixed time. Secret values are never
 * printed: the scripts print LOG_LEVEL (not sensitive), and a length and sha256 for DATABASE_URL.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {type ChildProcess, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {defaultSeed} from '../../plugins/emulator/src/seed/default-seed.js'
import {itAsPid1 as itAsPid1When, outerPid, UNSHARE} from '../helpers/os-tools.js'
import {repoRoot} from '../helpers/cli.js'

const binary = join(repoRoot, 'dist', 'binary', 'bella')
const MISSING_BINARY =
  `${binary} does not exist: run \`npm run build:binary\` before this suite ` +
  '(it tests the single executable that examples/docker/ copies into the image, not bin/run.js)'
const TINI = '/usr/bin/tini'
const MISSING_TINI = `${TINI} is not installed: \`apt-get install -y tini\` (Debian package tini; CI installs it)`
const WAIT_MS = 10_000 // generous: a loaded 2-core CI machine; a healthy run takes well under 1 s
/** The tools the scripts use; nothing else is on their PATH (in particular, no node). */
const TOOLS = ['sh', 'sleep', 'sha256sum']
/** The documented hint (README "In a container"; packages/core/src/process/pid1.ts). */
const HINT = 'bella is PID 1 and cannot reap orphaned processes'

const itAsPid1 = itAsPid1When('container')

let root: string
let sandboxPath: string
let scripts: string
let emulator: {proc: ChildProcess; url: string; apiKey: string; stderr: string} | undefined
const running: Pid1[] = []
let orphans = 0

/** Full API keys (`bax-<id>-<secret>`) masked, for anything a failing expect may print. */
const redact = (text: string) => text.replace(/bax-[0-9a-f]{8,}-[0-9a-f]{16,}/gi, 'bax-<redacted>')
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
/** A timer that does not keep jest alive once the tests are done. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref())

/** What the emulator's built-in demo project serves for demo/dev (its default seed). */
function demoSecret(name: string): string {
  for (const project of defaultSeed().projects) {
    if (project.slug !== 'demo') continue
    for (const environment of project.environments ?? []) {
      if (environment.slug !== 'dev') continue
      for (const provider of environment.providers ?? []) {
        const secret = provider.secrets?.[name]
        if (secret !== undefined) return typeof secret === 'string' ? secret : secret.value
      }
    }
  }

  throw new Error(`the emulator's demo/dev seed has no ${name}`)
}

function tool(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (existsSync(join(dir, name))) return join(dir, name)
  throw new Error(`${name} not found in /usr/bin or /bin`)
}

/** `docker run`'s view: a few variables, nothing from the developer's environment. */
function containerEnv(): Record<string, string> {
  if (!emulator) throw new Error('the emulator did not start')
  return {
    PATH: sandboxPath,
    HOME: mkdtempSync(join(root, 'home-')),
    BELLA_BAXTER_URL: emulator.url,
    BELLA_BAXTER_API_KEY: emulator.apiKey,
  }
}

/** An executable /bin/sh script in the suite's scripts folder (never in the empty working folder). */
function script(name: string, body: string): string {
  const file = join(scripts, name)
  writeFileSync(file, `#!/bin/sh\n${body}`)
  chmodSync(file, 0o755)
  return file
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]; undefined once reaped. */
function procStat(pid: number): {state: string; ppid: number} | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {state: fields[0]!, ppid: Number(fields[1])}
  } catch {
    return undefined
  }
}

/** Outer pids of the zombie (state Z) children of `parent`: orphans nobody reaped. */
function zombieChildren(parent: number): number[] {
  const zombies: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = procStat(Number(entry))
    if (stat?.state === 'Z' && stat.ppid === parent) zombies.push(Number(entry))
  }

  return zombies
}

/** A process's pid in the innermost PID namespace it belongs to (last field of NSpid). */
function innermostPid(pid: number): number | undefined {
  try {
    const ids = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\t(.*)$/m)?.[1]?.split('\t')
    return ids ? Number(ids.at(-1)) : undefined
  } catch {
    return undefined
  }
}

/** The outer pid of the process that is `innerPid` in the PID namespace whose init is `outerInit`. */
function outerPidOf(innerPid: number, outerInit: number): number {
  if (innermostPid(outerInit) !== 1) throw new Error(`${outerInit} is not the init of a child PID namespace`)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    // A descendant of the init is in its namespace (or a deeper one, which nothing here creates).
    if (innermostPid(Number(entry)) === innerPid && isDescendant(Number(entry), outerInit)) return Number(entry)
  }

  throw new Error(`no process ${innerPid} in the namespace of ${outerInit}`)
}

function isDescendant(pid: number, ancestor: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === ancestor) return true
    const stat = procStat(p)
    if (!stat) return false
    p = stat.ppid
  }

  return false
}

/** Polls `probe` (every 20 ms, bounded) until it returns something other than undefined. */
async function until<T>(what: string, probe: () => T | undefined, describe: () => string): Promise<T> {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out (${WAIT_MS} ms) waiting for ${what}\n${describe()}`)
    await sleep(20)
  }
}

/** `unshare --pid --fork --mount-proc <argv>` from an empty folder: argv[0] is PID 1 inside. */
class Pid1 {
  readonly proc: ChildProcess
  stdout = ''
  stderr = ''
  readonly exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  readonly cwd: string

  constructor(argv: string[], env: Record<string, string>) {
    this.cwd = mkdtempSync(join(root, 'cwd-')) // empty, like a fresh container's WORKDIR
    // detached: own process group (cleanup kills it) and no controlling terminal. unshare by full
    // path: the sandbox PATH does not have it.
    this.proc = spawn(tool('unshare'), [...UNSHARE, ...argv], {cwd: this.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    this.proc.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')))
    this.proc.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')))
    this.exit = new Promise((resolve) => {
      // If something kept our pipes open after unshare exited, don't wait for 'close' forever.
      this.proc.once('exit', (code, signal) => setTimeout(() => resolve({code, signal}), 2000).unref())
      this.proc.once('close', (code, signal) => resolve({code, signal}))
    })
    running.push(this)
  }

  get pid(): number {
    return this.proc.pid as number
  }

  /** The namespace's PID 1 as seen from here (what `kill -TERM 1` inside would signal). */
  get init(): number {
    return outerPid(this.pid)
  }

  waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    return until(
      `${pattern} on ${stream}`,
      () => {
        const match = this[stream].match(pattern)
        if (match) return match
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          throw new Error(`exited (${this.proc.exitCode ?? this.proc.signalCode}) before printing ${pattern}\n${this.describe()}`)
        }

        return undefined
      },
      () => this.describe(),
    )
  }

  /** Its exit, or 'still running' after the grace period. */
  exitWithin(ms = WAIT_MS): Promise<{code: number | null; signal: NodeJS.Signals | null} | 'still running'> {
    return Promise.race([this.exit, sleep(ms).then(() => 'still running' as const)])
  }

  describe(): string {
    // The scripts print no secret values; the key is masked in case bella ever echoes it.
    return redact(`stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)
  }

  /** Killing unshare's group kills the namespace's init, and with it everything in the namespace. */
  cleanup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL')
    } catch {}

    this.proc.stdout?.destroy()
    this.proc.stderr?.destroy()
    rmSync(this.cwd, {recursive: true, force: true})
  }
}

/** `bella emulator --port 0` with the binary; resolves once it printed its two lines. */
async function startEmulator(): Promise<NonNullable<typeof emulator>> {
  const proc = spawn(binary, ['emulator', '--port', '0'], {
    cwd: mkdtempSync(join(root, 'emulator-')),
    env: {PATH: sandboxPath, HOME: mkdtempSync(join(root, 'home-'))},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const started = {proc, url: '', apiKey: '', stderr: ''}
  emulator = started // afterAll stops it, even if it never prints its lines
  let stdout = ''
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  proc.stderr.on('data', (chunk: Buffer) => (started.stderr += chunk.toString('utf8')))
  let failed: Error | undefined
  proc.once('error', (error) => (failed = error))
  const lines = await until(
    'the two lines of `bella emulator --port 0`',
    () => {
      if (failed) throw failed
      if (proc.exitCode !== null) throw new Error(`bella emulator exited (${proc.exitCode})\n${redact(started.stderr)}`)
      const complete = stdout.split('\n').slice(0, -1)
      return complete.length >= 2 ? complete : undefined
    },
    () => redact(`stdout:\n${stdout}\nstderr:\n${started.stderr}`),
  )
  // Exactly these two lines, `eval`-able by a shell.
  expect(lines.map((line) => line.replace(/=.*/, '='))).toEqual(['BELLA_BAXTER_URL=', 'BELLA_BAXTER_API_KEY='])
  started.url = lines[0]!.slice('BELLA_BAXTER_URL='.length)
  started.apiKey = lines[1]!.slice('BELLA_BAXTER_API_KEY='.length)
  expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(/^bax-[0-9a-f]{8,}-[0-9a-f]{16,}$/i.test(started.apiKey)).toBe(true) // a boolean: the key stays out of the output
  return started
}

beforeAll(async () => {
  // Fail (not skip) without the binary: CI must build it, and a skipped suite would hide that.
  if (!existsSync(binary)) throw new Error(MISSING_BINARY)
  root = mkdtempSync(join(tmpdir(), 'bella-container-'))
  scripts = join(root, 'scripts')
  sandboxPath = join(root, 'bin')
  mkdirSync(scripts)
  mkdirSync(sandboxPath)
  for (const name of TOOLS) symlinkSync(tool(name), join(sandboxPath, name))
  await startEmulator()
}, 30_000)

afterAll(async () => {
  if (emulator && emulator.proc.exitCode === null && emulator.proc.signalCode === null) {
    const exited = new Promise((resolve) => emulator!.proc.once('exit', resolve))
    emulator.proc.kill('SIGTERM')
    if ((await Promise.race([exited, sleep(5000).then(() => 'still running')])) === 'still running') {
      emulator.proc.kill('SIGKILL')
      await exited
    }
  }

  if (root) rmSync(root, {recursive: true, force: true})
})

afterEach(() => {
  for (const p of running.splice(0)) p.cleanup()
})

describe('the container entrypoint (examples/docker), run by the single executable as PID 1', () => {
  it('dist/binary/bella has been built (`npm run build:binary`)', () => {
    if (!existsSync(binary)) throw new Error(MISSING_BINARY)
    expect(existsSync(binary)).toBe(true)
  })

  itAsPid1("injects the environment's secrets into the program, with no node on PATH, and mirrors its exit status", async () => {
    const program = script(
      'print-env.sh',
      [
        'echo "ppid=$PPID"',
        'echo "LOG_LEVEL=$LOG_LEVEL"',
        'echo "DATABASE_URL_LENGTH=${#DATABASE_URL}"',
        'set -- $(printf %s "$DATABASE_URL" | sha256sum)',
        'echo "DATABASE_URL_SHA256=$1"',
        'echo "API_KEY_PASSED=${BELLA_BAXTER_API_KEY+yes}"',
        'if command -v node >/dev/null 2>&1; then echo "NODE=found"; else echo "NODE=none"; fi',
        'exit 3',
        '',
      ].join('\n'),
    )
    const p = new Pid1([binary, 'run', '--', program], containerEnv())
    expect(await p.exitWithin()).toEqual({code: 3, signal: null})
    const seen = Object.fromEntries(
      p.stdout
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    )
    const databaseUrl = demoSecret('DATABASE_URL')
    expect(seen.ppid).toBe('1') // bella is the namespace's PID 1, and the program's parent
    expect(seen.LOG_LEVEL).toBe(demoSecret('LOG_LEVEL'))
    expect(seen.DATABASE_URL_LENGTH).toBe(String(databaseUrl.length))
    expect(seen.DATABASE_URL_SHA256 === sha256(databaseUrl)).toBe(true) // a boolean: no value in the output
    expect(seen.API_KEY_PASSED).toBe('') // bella's own key is not passed on
    expect(seen.NODE).toBe('none') // the binary needs no node
    expect(p.stdout.includes(databaseUrl)).toBe(false)
  })

  itAsPid1("`kill -TERM 1` (docker stop) ends the program and bella, with the program's exit status", async () => {
    const program = script(
      'trap-term.sh',
      [
        'trap \'echo "got TERM"; kill "$pid" 2>/dev/null; exit 42\' TERM',
        'echo "ready ppid=$PPID"',
        // A background sleep and `wait`: the trap runs as soon as the signal arrives.
        'while :; do sleep 1 & pid=$!; wait "$pid"; done',
        '',
      ].join('\n'),
    )
    const p = new Pid1([binary, 'run', '--', program], containerEnv())
    await p.waitFor(/^ready ppid=1$/m)
    const init = p.init
    process.kill(init, 'SIGTERM')
    // unshare exits with its child's (bella's) status; bella exits with the program's.
    expect(await p.exitWithin()).toEqual({code: 42, signal: null})
    expect(p.stdout).toMatch(/^got TERM$/m)
    expect(procStat(init)).toBeUndefined() // PID 1 is gone, and with it the namespace
  })

  /**
   * A program that leaves an orphan (a sh version of test/fixtures/orphan-maker.js): a middle shell
   * starts the grandchild in the background and exits at once, so the grandchild is re-parented to
   * PID 1. The grandchild writes its pid (inside the namespace) to `pidFile`, waits for
   * `pidFile.go` (so the test can find it while it runs) and exits 0. The program stays until
   * SIGTERM, then exits 7.
   */
  function orphanProgram(): {program: string; pidFile: string} {
    const pidFile = join(root, `orphan-${++orphans}.pid`)
    const grandchild = script(
      'orphan-grandchild.sh',
      ['echo $$ > "$1"', 'while [ ! -e "$1.go" ]; do sleep 0.05; done', 'exit 0', ''].join('\n'),
    )
    const program = script(
      'orphan-maker.sh',
      [
        'trap \'echo "got TERM"; kill "$pid" 2>/dev/null; exit 7\' TERM',
        `sh -c 'sh "$0" "$1" & exit 0' '${grandchild}' "$1"`,
        'echo "ready ppid=$PPID"',
        'while :; do sleep 1 & pid=$!; wait "$pid"; done',
        '',
      ].join('\n'),
    )
    return {program, pidFile}
  }

  /** The orphan's outer pid, once it has written its inner pid; then lets it exit. */
  async function releaseOrphan(p: Pid1, pidFile: string, init: number): Promise<number> {
    const inner = await until(
      `the orphan's pid in ${pidFile}`,
      () => {
        const text = existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : ''
        return /^\d+\n$/.test(text) ? Number(text) : undefined
      },
      () => p.describe(),
    )
    const orphan = outerPidOf(inner, init)
    expect(procStat(orphan)?.ppid).toBe(init) // its parent has exited: it is PID 1's now
    writeFileSync(`${pidFile}.go`, '')
    return orphan
  }

  itAsPid1('an orphaned grandchild is reaped, or bella says once to run with an init (docker run --init)', async () => {
    const {program, pidFile} = orphanProgram()
    const p = new Pid1([binary, 'run', '--', program, pidFile], containerEnv())
    await p.waitFor(/^ready ppid=1$/m)
    const init = p.init
    const orphan = await releaseOrphan(p, pidFile, init)
    // It ends either reaped (gone from /proc) or a zombie under PID 1.
    const fate = await until(
      'the orphan to exit',
      () => {
        const stat = procStat(orphan)
        if (!stat) return 'reaped' as const
        return stat.state === 'Z' ? ('zombie' as const) : undefined
      },
      () => p.describe(),
    )
    if (fate === 'zombie') {
      await p.waitFor(new RegExp(HINT), 'stderr')
      expect(p.stderr).toContain('docker run --init')
    } else {
      expect(zombieChildren(init)).toEqual([])
    }

    process.kill(init, 'SIGTERM')
    expect(await p.exitWithin()).toEqual({code: 7, signal: null})
    expect(p.stdout).toMatch(/^got TERM$/m)
    expect(p.stderr.split(HINT).length - 1).toBe(fate === 'zombie' ? 1 : 0) // said once, on stderr only
    expect(p.stdout).not.toContain(HINT)
  })

  itAsPid1('with tini as PID 1 (Dockerfile.tini), the orphan is reaped and the program\'s status still comes out', async () => {
    if (!existsSync(TINI)) throw new Error(MISSING_TINI)
    const {program, pidFile} = orphanProgram()
    const p = new Pid1([TINI, '--', binary, 'run', '--', program, pidFile], containerEnv())
    await p.waitFor(/^ready ppid=\d+$/m)
    const init = p.init
    expect(readFileSync(`/proc/${init}/cmdline`, 'utf8').split('\0')[0]).toBe(TINI)
    const orphan = await releaseOrphan(p, pidFile, init)
    await until(
      'tini to reap the orphan',
      () => (procStat(orphan) ? undefined : true),
      () => `orphan ${orphan}: ${JSON.stringify(procStat(orphan))}\n${p.describe()}`,
    )
    expect(zombieChildren(init)).toEqual([])
    process.kill(init, 'SIGTERM') // docker stop: tini forwards it to bella, bella to the program
    expect(await p.exitWithin()).toEqual({code: 7, signal: null})
    expect(p.stdout).toMatch(/^got TERM$/m)
    expect(p.stderr).not.toContain(HINT) // bella is not PID 1 here, and nothing was left behind
  })
})
