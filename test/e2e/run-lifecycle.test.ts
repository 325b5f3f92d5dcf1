/**
 * `bella run` mirrors its child's life (SPEC "bella run", "Errors and exit codes"), checked end to
 * end: the real bin/run.js against an in-process emulator, with fixture programs that trap
 * signals and record what they saw (test/fixtures/lifecycle-*.js).
 *
 * Signal tests wait for the fixture's "ready"/"got SIG…" lines, never for a fixed time. bella is
 * started in its own session (detached) for the kill(2)-based tests: otherwise, when jest runs from
 * a terminal, bella would share that terminal's foreground group and rightly treat a SIGINT as
 * "the terminal already delivered it". Terminal behaviour is tested on a real pseudo-terminal
 * (`script` from util-linux), PID 1 behaviour in a fresh PID namespace (`unshare`).
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {type ChildProcess, spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {itAsPid1 as itAsPid1When, itWithPty as itWithPtyWhen, outerPid, UNSHARE} from '../helpers/os-tools.js'
import {bella, bellaBin, type CliOptions, type CliResult, fixtures, isolatedHome, repoRoot} from '../helpers/cli.js'

const node = process.execPath
const fixture = (name: string) => join(fixtures, name)
const WAIT_MS = 10_000 // generous: a loaded 2-core CI machine; a healthy run takes well under 1 s

let emulator: Emulator
let dir: string
const running: Proc[] = []

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  dir = mkdtempSync(join(tmpdir(), 'bella-run-lifecycle-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})
afterEach(() => {
  for (const p of running.splice(0)) p.cleanup()
})

/** What bella needs to reach the emulator; nothing from the developer's own environment. */
const bellaEnv = (target: Emulator = emulator): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  ...isolatedHome(),
  BELLA_BAXTER_URL: target.url,
  BELLA_BAXTER_API_KEY: target.apiKey,
})

let fileCounter = 0
const recordFile = (name: string) => join(dir, `${name}-${++fileCounter}`)
const recorded = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
/** Same as lifecycle-env.js: never the value itself. */
const fingerprint = (value: string) => sha256(value).slice(0, 16)
/** Names (never values) of the secrets whose value occurs in `text`: what a failing expect may print. */
const leaked = (text: string, secrets: Record<string, string>) =>
  Object.entries(secrets)
    .filter(([, value]) => value !== '' && text.includes(value))
    .map(([name]) => name)

/** Full API keys (`bax-<id>-<secret>`) masked, for anything a failing expect may print. */
const redact = (text: string) => text.replace(/bax-[0-9a-f]{8,}-[0-9a-f]{16,}/gi, 'bax-<redacted>')

/** The shared helper's bella(), with output fit to print; `raw` keeps it as is for leak checks. */
async function run(args: string[], options: CliOptions = {}): Promise<CliResult & {raw: CliResult}> {
  const raw = await bella(args, options)
  return {...raw, stdout: redact(raw.stdout), stderr: redact(raw.stderr), raw}
}

/** A process whose output we can wait for, line by line, without sleeping. */
class Proc {
  readonly proc: ChildProcess
  private readonly out: Buffer[] = []
  stderr = ''
  readonly exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  private waiters: (() => void)[] = []

  /** `outerPids`: false when the pids the fixture prints are from another PID namespace. */
  constructor(
    command: string,
    args: string[],
    env: Record<string, string>,
    private readonly outerPids = true,
  ) {
    // detached: own session and process group, so no controlling terminal, and cleanup can kill the group.
    this.proc = spawn(command, args, {cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true})
    const wake = () => {
      for (const waiter of this.waiters.splice(0)) waiter()
    }

    this.proc.stdout?.on('data', (chunk: Buffer) => {
      this.out.push(chunk)
      wake()
    })
    this.proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8')
      wake()
    })
    this.exit = new Promise((resolve) => {
      // 'close' (all output read) normally follows 'exit' at once. If bella died and left its child
      // running with our pipes open (a broken build), don't hang until jest's timeout.
      this.proc.once('exit', (code, signal) => {
        wake()
        setTimeout(() => resolve({code, signal}), 2000).unref()
      })
      this.proc.once('close', (code, signal) => {
        wake()
        resolve({code, signal})
      })
    })
    running.push(this)
  }

  get stdout(): string {
    return this.stdoutBytes.toString('utf8')
  }

  get stdoutBytes(): Buffer {
    return Buffer.concat(this.out)
  }

  get pid(): number {
    return this.proc.pid as number
  }

  /** Resolve with the first match of `pattern` in stdout (or stderr) so far or to come. */
  async waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    const deadline = Date.now() + WAIT_MS
    for (;;) {
      const match = this[stream].match(pattern)
      if (match) return match
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        await new Promise((r) => setImmediate(r))
        const late = this[stream].match(pattern)
        if (late) return late
        throw new Error(`exited (${this.proc.exitCode ?? this.proc.signalCode}) before printing ${pattern}\n${this.describe()}`)
      }

      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}\n${this.describe()}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  describe(): string {
    // The tests' children never print secret values (lifecycle-env.js prints fingerprints).
    return redact(`stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)
  }

  /**
   * After a test: kill what is left — bella's process group (the child is in it unless bella made
   * it a session of its own), and the fixture child by the pid it printed, in case bella died and
   * left it behind (only if that pid still runs a lifecycle fixture: never a reused pid).
   */
  cleanup(): void {
    if (this.proc.pid !== undefined) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL')
      } catch {}
    }

    const child = Number(this.stdout.match(/ready pid=(\d+)/)?.[1])
    if (this.outerPids && child > 1) {
      try {
        if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('lifecycle-')) process.kill(child, 'SIGKILL')
      } catch {}
    }

    this.proc.stdout?.destroy()
    this.proc.stderr?.destroy()
    this.proc.stdin?.destroy()
  }
}

/** `bella run -- node <fixture> <args>` in its own session. */
function bellaRun(fixtureName: string, args: string[], env: Record<string, string> = bellaEnv()): Proc {
  const p = new Proc(node, [bellaBin, 'run', '--', node, fixture(fixtureName), ...args], env)
  p.proc.stdin?.end()
  return p
}

// ---------------------------------------------------------------------------------------------

describe('bella run: standard streams', () => {
  it("stdout carries only the child's output, even with --verbose (bella's own lines go to stderr)", async () => {
    const r = await run(['run', '--verbose', '--', node, '-e', 'process.stdout.write("child-out"); process.stderr.write("child-err")'], {
      env: bellaEnv(),
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('child-out')
    expect(r.stderr).toContain('child-err')
    expect(r.stderr).toMatch(/bella: \d+ secrets from demo\/dev/) // bella did speak, on stderr
  })

  it('data piped into bella reaches the child on stdin', async () => {
    const echo = 'let d = ""; process.stdin.setEncoding("utf8").on("data", (c) => (d += c)).on("end", () => process.stdout.write("child read " + JSON.stringify(d)))'
    const r = await run(['run', '--', node, '-e', echo], {env: bellaEnv(), input: 'line one\nline two\n'})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('child read "line one\\nline two\\n"')
  })

  it('1 MiB of binary stdin comes back out of the child byte for byte', async () => {
    const input = Buffer.concat([Buffer.from(Array.from({length: 256}, (_, i) => i)), randomBytes(1024 * 1024)])
    const p = new Proc(node, [bellaBin, 'run', '--', node, '-e', 'process.stdin.pipe(process.stdout)'], bellaEnv())
    p.proc.stdin?.end(input)
    expect((await p.exit).code).toBe(0)
    const out = p.stdoutBytes
    expect(out.length).toBe(input.length)
    expect(sha256(out)).toBe(sha256(input))
  })

  it("1 MiB of binary child output passes through untouched, with the child's exit status", async () => {
    const size = 1024 * 1024 + 17
    const p = bellaRun('lifecycle-blob.js', [String(size), 'lifecycle', '3'])
    expect((await p.exit).code).toBe(3)
    const out = p.stdoutBytes
    // The same bytes lifecycle-blob.js generates.
    const parts = [Buffer.from(Array.from({length: 256}, (_, i) => i))]
    for (let i = 0, n = 256; n < size; i++, n += 32) parts.push(createHash('sha256').update(`lifecycle:${i}`).digest())
    const expected = Buffer.concat(parts).subarray(0, size)
    expect(out.length).toBe(size)
    expect(sha256(out)).toBe(sha256(expected))
    expect(p.stderr).toContain(`blob: wrote ${size} bytes`) // the child's stderr, kept apart from stdout
  })
})

describe('bella run: the command line', () => {
  // oclif re-sorts a non-strict command's argv by each word's *first* position in the raw argv, so
  // taking the command from it moves repeated words and words equal to an earlier token (`--`, a
  // flag value): `bella run -p demo -- cmd demo` would run `demo`. Both the fast path and the
  // oclif command now take the words after `--` as typed (commandLine); this keeps it that way.
  it('the words after -- reach the child exactly as typed (repeats, flag-like words, a second --)', async () => {
    const args = ['a', 'b', 'a', '--help', '-p', 'demo', '--verbose', '-e', '--', 'x', '', ' spaced ', 'ünï', '$HOME', '*']
    const r = await run(['run', '-p', 'demo', '--', node, fixture('lifecycle-argv.js'), ...args], {env: bellaEnv()})
    expect({code: r.code, argv: r.code === 0 ? JSON.parse(r.stdout) : r.stderr}).toEqual({code: 0, argv: args})
  })

  it('flag-like words after -- are not taken as bella flags', async () => {
    const args = ['--help', '--version', '-p', 'nope', '--pass-credentials', '-v']
    const r = await run(['run', '--', node, fixture('lifecycle-argv.js'), ...args], {env: bellaEnv()})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(args)
  })

  // Without `--`, oclif's re-sorted argv cannot tell bella's flags from the command's
  // (`bella run -p demo node app.js demo` would run `demo`), so bella refuses with a usage error.
  it('without --, bella refuses with a usage error showing the -- form, and starts nothing', async () => {
    const r = await run(['run', node, fixture('lifecycle-argv.js'), 'a', 'b', 'a'], {env: bellaEnv()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('takes the command to run after --')
    expect(r.stdout).toBe('')
  })

  it('a stray word before -- (an unquoted flag value) is a usage error, not dropped; run and exec alike', async () => {
    for (const command of ['run', 'exec']) {
      const r = await run([command, '-p', 'demo', 'weeks', '--', node, fixture('lifecycle-argv.js'), 'weeks'], {env: bellaEnv()})
      expect({command, code: r.code}).toEqual({command, code: 2})
      expect(r.stderr).toContain(`Error: bella ${command} does not take "weeks" before --`)
      expect(r.stdout).toBe('')
    }
  })

  it("without --, a flag error caused by the command's own flags says to put the command after --", async () => {
    // `-e 1` is node's, but oclif reads it as a second --environment.
    const r = await run(['run', '-e', 'dev', node, '-e', '1'], {env: bellaEnv()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--environment can only be specified once')
    expect(r.stderr).toContain('put the command after --: bella run [flags] -- CMD [ARGS...]')
    expect(r.stdout).toBe('')
  })
})

describe('bella run: exit status', () => {
  it("exits with the child's own status", async () => {
    const statuses = [0, 1, 42, 255]
    const results = await Promise.all(statuses.map((status) => run(['run', '--', node, fixture('exit-with.js'), String(status)], {env: bellaEnv()})))
    expect(results.map((r) => r.code)).toEqual(statuses)
    expect(results.map((r) => r.stdout)).toEqual(statuses.map(() => ''))
  })

  it('a child killed by signal N makes bella exit 128+N (and bella itself is not killed)', async () => {
    const expected = {SIGTERM: 143, SIGKILL: 137, SIGHUP: 129, SIGINT: 130}
    const signals = Object.keys(expected)
    const results = await Promise.all(signals.map((signal) => run(['run', '--', node, fixture('kill-self.js'), signal], {env: bellaEnv()})))
    // bella exits with the code (its own `signal` is null): it was not killed along with the child
    expect(Object.fromEntries(results.map((r, i) => [signals[i], r.signal ?? r.code]))).toEqual(expected)
  })

  it('a command that does not exist: 127, naming it, before any API call', async () => {
    emulator.clearRequests()
    const r = await run(['run', '--', 'bella-lifecycle-no-such-program', '--flag'], {env: bellaEnv()})
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('Command not found: bella-lifecycle-no-such-program (searched PATH)')
    expect(r.stderr).toMatch(/Try: .*command -v bella-lifecycle-no-such-program/)
    expect(r.stdout).toBe('')
    expect(emulator.requests()).toHaveLength(0)

    const missing = join(dir, 'missing', 'prog')
    const byPath = await run(['run', '--', missing], {env: bellaEnv()})
    expect(byPath.code).toBe(127)
    expect(byPath.stderr).toContain(`no such file: ${missing}`)
  })

  it('a file that is not executable, or a directory: 126 with a clear message', async () => {
    const script = fixture('not-executable.sh')
    const r = await run(['run', '--', script], {env: bellaEnv()})
    expect(r.code).toBe(126)
    expect(r.stderr).toContain(`Cannot execute ${script}: ${script}: permission denied (not executable)`)
    expect(r.stderr).toContain(`chmod +x ${script}`)
    expect(r.stdout).toBe('') // it did not run ("should never run")

    const d = await run(['run', '--', dir], {env: bellaEnv()})
    expect(d.code).toBe(126)
    expect(d.stderr).toContain('it is a directory')
  })

  it('a script whose #! interpreter is missing: 127, naming the script', async () => {
    const script = join(dir, 'bad-interpreter')
    writeFileSync(script, '#!/nonexistent/bella-interpreter\necho should-not-run\n')
    chmodSync(script, 0o755)
    const r = await run(['run', '--', script], {env: bellaEnv()})
    expect(r.code).toBe(127)
    expect(r.stderr).toContain(`${script} exists, but its interpreter (#! line) was not found`)
    expect(r.stdout).toBe('')
  })
})

describe('bella run: signals sent to bella (kill, no terminal)', () => {
  it('forwards SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGINT, each exactly once', async () => {
    const file = recordFile('each-once')
    // The child lingers 250 ms after the last signal (still recording), so a late duplicate shows.
    const p = bellaRun('lifecycle-trap.js', [file, 'exit-on=SIGINT', 'cleanup-ms=250', 'code=7'])
    const ready = await p.waitFor(/ready pid=\d+ ppid=(\d+)/)
    expect(Number(ready[1])).toBe(p.pid) // the child is bella's own (no shell in between)
    const sequence = ['SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const
    for (const signal of sequence) {
      process.kill(p.pid, signal)
      // A duplicate would be sent right after the first, so it would land before the next signal.
      await p.waitFor(new RegExp(`got ${signal}\\n`))
    }

    process.kill(p.pid, 'SIGINT')
    expect(await p.exit).toEqual({code: 7, signal: null})
    expect(recorded(file)).toEqual([...sequence, 'SIGINT'])
    // stdout is the child's, line for line
    expect(p.stdout.replace(/^ready .*\n/, '')).toBe(`${[...sequence, 'SIGINT'].map((s) => `got ${s}\n`).join('')}cleaned up\n`)
  })

  it("forwards SIGTERM once, waits for the child's graceful shutdown, and exits with its status", async () => {
    const file = recordFile('graceful-term')
    const p = bellaRun('lifecycle-trap.js', [file, 'exit-on=SIGTERM', 'cleanup-ms=300', 'code=42'])
    await p.waitFor(/ready/)
    process.kill(p.pid, 'SIGTERM')
    // The cleanup takes 300 ms: a bella that exited on the signal instead of waiting would be gone
    // before the file exists.
    expect(await p.exit).toEqual({code: 42, signal: null})
    expect(existsSync(`${file}.cleaned`)).toBe(true)
    expect(recorded(file)).toEqual(['SIGTERM'])
  })

  it('a second SIGINT while the child is already stopping means "stop waiting": SIGKILL, exit 137', async () => {
    const file = recordFile('int-int')
    const p = bellaRun('lifecycle-trap.js', [file, 'exit-on=none'])
    await p.waitFor(/ready/)
    process.kill(p.pid, 'SIGINT')
    await p.waitFor(/got SIGINT/)
    // Non-terminating signals in between are still just forwarded.
    process.kill(p.pid, 'SIGUSR1')
    await p.waitFor(/got SIGUSR1/)
    process.kill(p.pid, 'SIGINT')
    expect(await p.exit).toEqual({code: 137, signal: null})
    expect(recorded(file)).toEqual(['SIGINT', 'SIGUSR1']) // the second INT became a SIGKILL, not a delivery
  })

  it('SIGTERM then SIGTERM (an impatient supervisor) also escalates to SIGKILL', async () => {
    const file = recordFile('term-term')
    const p = bellaRun('lifecycle-trap.js', [file, 'exit-on=none'])
    await p.waitFor(/ready/)
    process.kill(p.pid, 'SIGTERM')
    await p.waitFor(/got SIGTERM/)
    process.kill(p.pid, 'SIGTERM')
    expect(await p.exit).toEqual({code: 137, signal: null})
    expect(recorded(file)).toEqual(['SIGTERM'])
  })
})

// ---------------------------------------------------------------------------------------------

const itWithPty = itWithPtyWhen('run-lifecycle')
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * `bella run -- node lifecycle-trap.js …` on a fresh pseudo-terminal, in its foreground process
 * group: writing ^C to script's stdin makes the terminal send SIGINT to that whole group — bella
 * *and* its child. `exec` so that bella is the terminal's process (no shell deciding the status).
 */
function bellaOnTerminal(args: string[]): Proc {
  const command = ['exec', node, bellaBin, 'run', '--', node, fixture('lifecycle-trap.js'), ...args].map(shellQuote).join(' ')
  return new Proc('script', ['-qfec', command, '/dev/null'], {...bellaEnv(), SHELL: '/bin/sh'})
}

describe('bella run on a terminal', () => {
  itWithPty("the child gets the terminal itself; Ctrl-C and Ctrl-\\ reach it exactly once (bella doesn't forward its copy)", async () => {
    const file = recordFile('ctrl-c')
    const p = bellaOnTerminal([file, 'exit-on=SIGTERM', 'cleanup-ms=250', 'code=0'])
    const ready = await p.waitFor(/ready pid=\d+ ppid=(\d+) tty=(\d+)/)
    expect(ready[2]).toBe('111') // stdin, stdout and stderr inherited: the child sees the terminal
    const bellaPid = Number(ready[1])
    // At a prompt the child stays in bella's process group, the terminal's foreground group.
    const groupOf = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
    }
    expect(groupOf(Number(ready[0].match(/pid=(\d+)/)![1]))).toBe(groupOf(bellaPid))
    p.proc.stdin?.write('\u0003') // Ctrl-C
    await p.waitFor(/got SIGINT/)
    p.proc.stdin?.write('\u001c') // Ctrl-\
    await p.waitFor(/got SIGQUIT/)
    // A forwarded duplicate would have been sent before this marker, so it would be recorded first.
    process.kill(bellaPid, 'SIGUSR1')
    await p.waitFor(/got SIGUSR1/)
    // Had bella forwarded the Ctrl-C, this SIGTERM would count as a second interrupt → SIGKILL (137).
    process.kill(bellaPid, 'SIGTERM')
    expect((await p.exit).code).toBe(0)
    expect(recorded(file)).toEqual(['SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGTERM'])
  })

  itWithPty('a second Ctrl-C while the child is still stopping kills it at once (137), and bella says so', async () => {
    // Like an app stuck in its graceful shutdown: the first Ctrl-C only starts it.
    const file = recordFile('ctrl-c-twice')
    const p = bellaOnTerminal([file, 'exit-on=SIGINT', 'after=3', 'code=3'])
    const bellaPid = Number((await p.waitFor(/ready pid=\d+ ppid=(\d+)/))[1])
    p.proc.stdin?.write('\u0003')
    await p.waitFor(/stopping/)
    process.kill(bellaPid, 'SIGUSR1') // marker: a doubled first Ctrl-C would be recorded before it
    await p.waitFor(/got SIGUSR1/)
    expect(recorded(file)).toEqual(['SIGINT', 'SIGUSR1'])
    p.proc.stdin?.write('\u0003')
    // 3 would be the child's own exit on a third SIGINT; 137 is bella's SIGKILL.
    expect((await p.exit).code).toBe(137)
    expect(p.stdout).toMatch(/Warning: Ctrl-C again while \S+ was stopping: killed it \(SIGKILL\)/)
  })

  itWithPty('a Ctrl-C after bella has already forwarded SIGTERM (it is stopping the child) kills the child: 137', async () => {
    const file = recordFile('term-then-ctrl-c')
    const p = bellaOnTerminal([file, 'exit-on=none'])
    const bellaPid = Number((await p.waitFor(/ready pid=\d+ ppid=(\d+)/))[1])
    process.kill(bellaPid, 'SIGTERM')
    await p.waitFor(/got SIGTERM/)
    p.proc.stdin?.write('\u0003')
    expect((await p.exit).code).toBe(137)
    expect(recorded(file)[0]).toBe('SIGTERM')
  })
})

// ---------------------------------------------------------------------------------------------

describe('bella run: what the child inherits', () => {
  const names = ['BELLA_BAXTER_API_KEY', 'BELLA_BAXTER_ACCESS_TOKEN', 'INHERITED_PLAIN', 'LOG_LEVEL']
  // The API key wins over the token for bella's own requests; the token must still not leak.
  const credentials = () => {
    const env = bellaEnv()
    const key = env.BELLA_BAXTER_API_KEY as string
    const token = `test-token-${randomBytes(8).toString('hex')}`
    return {env: {...env, BELLA_BAXTER_ACCESS_TOKEN: token, INHERITED_PLAIN: 'plain value'}, key, token}
  }

  it("bella's own credentials are not passed to the child; everything else is", async () => {
    const {env, key, token} = credentials()
    const r = await run(['run', '--', node, fixture('lifecycle-env.js'), ...names], {env})
    expect(leaked(r.raw.stdout + r.raw.stderr, {key, token})).toEqual([])
    expect(r.code).toBe(0)
    const {fingerprints} = JSON.parse(r.stdout) as {fingerprints: Record<string, string | null>}
    expect(fingerprints.BELLA_BAXTER_API_KEY).toBeNull()
    expect(fingerprints.BELLA_BAXTER_ACCESS_TOKEN).toBeNull()
    expect(fingerprints.INHERITED_PLAIN).toBe(fingerprint('plain value'))
    expect(fingerprints.LOG_LEVEL).not.toBeNull() // and the secrets were overlaid
  })

  it('--pass-credentials passes them through unchanged', async () => {
    const {env, key, token} = credentials()
    const r = await run(['run', '--pass-credentials', '--', node, fixture('lifecycle-env.js'), ...names], {env})
    expect(r.code).toBe(0)
    const {fingerprints} = JSON.parse(r.stdout) as {fingerprints: Record<string, string | null>}
    expect(fingerprints.BELLA_BAXTER_API_KEY).toBe(fingerprint(key))
    expect(fingerprints.BELLA_BAXTER_ACCESS_TOKEN).toBe(fingerprint(token))
  })
})

describe('bella run: hostile secret names', () => {
  // An emulator of its own: these names must not reach the other tests' children.
  let hostile: Emulator
  const target = {project: 'demo', environment: 'dev'}
  const tag = randomBytes(6).toString('hex')
  const inheritedPath = process.env.PATH ?? '/usr/bin:/bin'
  const reserved: Record<string, string> = {
    PATH: `/nonexistent/bella-path-${tag}`,
    path: `/nonexistent/bella-lower-path-${tag}`,
    NODE_OPTIONS: `--require /nonexistent/bella-hook-${tag}.js`,
    LD_PRELOAD: `/nonexistent/bella-preload-${tag}.so`,
    LD_LIBRARY_PATH: `/nonexistent/bella-libs-${tag}`,
    DYLD_INSERT_LIBRARIES: `/nonexistent/bella-dyld-${tag}.dylib`,
    PYTHONPATH: `/nonexistent/bella-python-${tag}`,
    BASH_ENV: `/nonexistent/bella-bashenv-${tag}`,
    BELLA_BAXTER_API_KEY: `server-side-value-${tag}`,
  }
  const invalid: Record<string, string> = {
    '1STARTS_WITH_DIGIT': `invalid-digit-${tag}`,
    'has-dash': `invalid-dash-${tag}`,
    'with space': `invalid-space-${tag}`,
    'FORGED\nFAKE_LINE': `invalid-newline-${tag}`,
    'A=B': `invalid-equals-${tag}`,
    'ünïcode': `invalid-unicode-${tag}`,
  }
  const good: Record<string, string> = {GOOD_NAME: `good-${tag}`, _also_fine1: `fine-${tag}`}
  const all = {...reserved, ...invalid, ...good}
  const asked = [...Object.keys(reserved), ...Object.keys(good)]

  beforeAll(async () => {
    hostile = await startEmulator({port: 0})
    hostile.setSecrets(target, {set: all})
  })
  afterAll(() => hostile.close())

  const runHostile = (flags: string[]) =>
    run(['run', ...flags, '--', node, fixture('lifecycle-env.js'), ...asked], {env: bellaEnv(hostile)})

  it('withholds invalid and loader-hijacking names with one stderr warning naming them, never their values', async () => {
    const r = await runHostile([])
    // First, so that no later failure can print a value: only names are shown here.
    expect(leaked(r.raw.stdout + r.raw.stderr, all)).toEqual([])
    expect(r.code).toBe(0)
    // stdout is exactly the child's one line: the warning went to stderr
    expect(r.stdout.split('\n')).toHaveLength(2)
    const seen = JSON.parse(r.stdout) as {fingerprints: Record<string, string | null>; invalidNames: string[]}
    expect(seen.fingerprints).toEqual({
      ...Object.fromEntries(Object.keys(reserved).map((name) => [name, null])),
      PATH: fingerprint(inheritedPath), // bella's own PATH, not the secret
      GOOD_NAME: fingerprint(good.GOOD_NAME!),
      _also_fine1: fingerprint(good._also_fine1!),
    })
    expect(seen.invalidNames).toEqual([])

    expect(r.stderr).toMatch(/^Warning: /)
    for (const name of Object.keys(reserved)) expect(r.stderr).toMatch(new RegExp(`[ ,:]${name}[,.]`))
    // Invalid names are shown JSON-quoted, so a newline in one cannot forge a line of output.
    for (const name of Object.keys(invalid)) expect(r.stderr).toContain(JSON.stringify(name))
    expect(r.stderr.split('\n').some((line) => line.startsWith('FAKE_LINE'))).toBe(false)
    expect(r.stderr).toContain('--allow-reserved-env')
  })

  it('--allow-reserved-env injects the reserved names; invalid names are still withheld and named', async () => {
    // Reserved values the child can live with (a bogus LD_PRELOAD would make ld.so print it).
    const harmless: Record<string, string> = {
      PATH: `${inheritedPath}:/nonexistent/bella-path-${tag}`,
      NODE_OPTIONS: '--no-deprecation',
      LD_PRELOAD: '',
    }
    hostile.setSecrets(target, {set: harmless})
    try {
      const r = await runHostile(['--allow-reserved-env'])
      expect(leaked(r.raw.stdout + r.raw.stderr, {...all, ...harmless})).toEqual([])
      expect(r.code).toBe(0)
      const seen = JSON.parse(r.stdout) as {fingerprints: Record<string, string | null>; invalidNames: string[]}
      const injected = {...reserved, ...harmless, ...good}
      expect(seen.fingerprints).toEqual(Object.fromEntries(asked.map((name) => [name, fingerprint(injected[name]!)])))
      expect(seen.invalidNames).toEqual([])
      for (const name of Object.keys(invalid)) expect(r.stderr).toContain(JSON.stringify(name))
      expect(r.stderr).not.toMatch(/reserved/)
    } finally {
      hostile.setSecrets(target, {set: all})
    }
  })
})

// ---------------------------------------------------------------------------------------------

const itAsPid1 = itAsPid1When('run-lifecycle')

/** `bella run -- node <fixture> …` as PID 1 of a new PID namespace, like a container's ENTRYPOINT. */
function bellaAsPid1(fixtureName: string, args: string[]): Proc {
  // When the namespace's init (bella) exits, the kernel kills everything left in it.
  const p = new Proc('unshare', [...UNSHARE, node, bellaBin, 'run', '--', node, fixture(fixtureName), ...args], bellaEnv(), false)
  p.proc.stdin?.end()
  return p
}

describe('bella run as PID 1 (container ENTRYPOINT)', () => {
  itAsPid1('SIGTERM from outside reaches the child, bella waits for its cleanup and exits 0 like the child', async () => {
    const file = recordFile('pid1-term')
    const p = bellaAsPid1('lifecycle-trap.js', [file, 'exit-on=SIGTERM', 'cleanup-ms=200', 'code=0'])
    await p.waitFor(/ready pid=\d+ ppid=1 /) // bella really is PID 1, and the child's parent
    const pid = outerPid(p.pid)
    // The kernel drops signals to a namespace's init that has no handler for them: each one
    // arriving checks that bella handles it. SIGINT is left out: a forwarded SIGINT followed by
    // SIGTERM means "hurry up" (see the kill tests).
    for (const signal of ['SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) {
      process.kill(pid, signal)
      await p.waitFor(new RegExp(`got ${signal}\\n`))
    }

    process.kill(pid, 'SIGTERM')
    expect(await p.exit).toEqual({code: 0, signal: null})
    expect(existsSync(`${file}.cleaned`)).toBe(true)
    expect(recorded(file)).toEqual(['SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGTERM'])
  })

  itAsPid1("SIGINT from outside reaches the child; bella reaps it and exits with the child's status", async () => {
    const file = recordFile('pid1-int')
    const p = bellaAsPid1('lifecycle-trap.js', [file, 'exit-on=SIGINT', 'code=42'])
    await p.waitFor(/ready pid=\d+ ppid=1 /)
    process.kill(outerPid(p.pid), 'SIGINT')
    expect(await p.exit).toEqual({code: 42, signal: null})
    expect(recorded(file)).toEqual(['SIGINT'])
  })

  itAsPid1('a child killed by a signal gives 128+N, and nothing is said when nothing was orphaned', async () => {
    const p = bellaAsPid1('kill-self.js', ['SIGKILL'])
    expect(await p.exit).toEqual({code: 137, signal: null})
    expect(p.stderr).not.toContain('warning')
  })

  // The kernel drops signals a namespace init has no handler for, so bella holds handlers from
  // start-up (exitOnTerminatingSignals) until the child's supervisor takes over: `docker stop`
  // during a slow secrets fetch must end bella (143) without starting the app.
  itAsPid1('a SIGTERM while bella is still fetching the secrets ends it (143), and the command never starts', async () => {
    // A stand-in API that takes the first request and never answers: bella is stuck fetching.
    const {createServer} = await import('node:http')
    let arrived!: () => void
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve))
    const server = createServer(() => arrived())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = server.address() as {port: number}
      const file = recordFile('pid1-term-while-fetching')
      const env = {...bellaEnv(), BELLA_BAXTER_URL: `http://127.0.0.1:${port}`}
      const p = new Proc('unshare', [...UNSHARE, node, bellaBin, 'run', '--', node, fixture('lifecycle-trap.js'), file], env, false)
      p.proc.stdin?.end()
      await requestArrived
      process.kill(outerPid(p.pid), 'SIGTERM')
      // A bella that handles it exits at once; one that never saw it would sit on the request.
      const outcome = await Promise.race([p.exit, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 3000).unref())])
      expect(outcome).toEqual({code: 143, signal: null})
      expect(p.stdout).not.toContain('ready') // the command was not started after the stop request
      expect(p.stderr).toContain('SIGTERM received before the command started')
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  itAsPid1('orphaned grandchildren it cannot reap are reported once on stderr, with what to do', async () => {
    const file = recordFile('pid1-orphan')
    const p = bellaAsPid1('orphan-maker.js', [file, 'SIGTERM', '5'])
    await p.waitFor(/ready/)
    await p.waitFor(/Warning: bella is PID 1 and cannot reap orphaned processes \(1 exited grandchild/, 'stderr')
    expect(p.stderr).toContain('docker run --init')
    expect(p.stdout).not.toContain('warning')
    process.kill(outerPid(p.pid), 'SIGTERM')
    expect(await p.exit).toEqual({code: 5, signal: null})
  })
})
