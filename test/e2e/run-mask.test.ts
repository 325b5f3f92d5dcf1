/**
 * `bella run --mask` end to end (issue 14, part 3): the real bin/run.js against an in-process
 * emulator holding random secret values. The command's stdout and stderr reach the test through
 * bella's masker; everything else (exit status, signals, stdin, SIGPIPE) must behave exactly as
 * without --mask. Assertions are on masked output and on booleans: no test prints a value.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, bellaBin, fixtures, isolatedHome, runProcess} from '../helpers/cli.js'
import {itWithPty as itWithPtyWhen} from '../helpers/os-tools.js'
import {testTempDir} from '../helpers/temp.js'
import {bellaOnTerminal} from '../helpers/terminal.js'

const node = process.execPath
const demo = {project: 'demo', environment: 'dev'}
const TOKEN = `tok-${randomBytes(12).toString('hex')}`
const CERT = `cert-line-one-${randomBytes(6).toString('hex')}\ncert-line-two-${randomBytes(6).toString('hex')}\nab`
const VALUES = [TOKEN, ...CERT.split('\n').filter((line) => line.length > 3)]
const WAIT_MS = 20_000

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  emulator.setSecrets(demo, {set: {MASK_TOKEN: TOKEN, MASK_CERT: CERT}})
})
afterAll(() => emulator.close())

const env = (extra: Record<string, string> = {}) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey, ...extra})
/** Whether any secret value shows in `text` (a boolean, so a failure never prints the value). */
const leaks = (text: string, values: string[] = VALUES) => values.some((value) => text.includes(value))
const sh = (script: string) => ['sh', '-c', script]

describe('bella run --mask', () => {
  it('masks stdout and stderr, a value split across writes, and a multi-line value line by line', async () => {
    // Half of the token, a pause (a separate write on the pipe), then the rest.
    const script = `
      const t = process.env.MASK_TOKEN
      process.stdout.write('token=' + t + '\\n' + 'split=' + t.slice(0, 9))
      setTimeout(() => { process.stdout.write(t.slice(9) + '\\n'); process.stderr.write('cert:\\n' + process.env.MASK_CERT + '\\n') }, 100)`
    const r = await bella(['run', '--mask', '--', node, '-e', script], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('token=*****\nsplit=*****\n')
    expect(r.stderr).toBe('cert:\n*****\n*****\nab\n')
    expect(leaks(r.stdout + r.stderr)).toBe(false)
  })

  it('is on by default when CI=true; --no-mask turns it off; without either it is off', async () => {
    const print = sh('echo "out $MASK_TOKEN"; echo "err $MASK_TOKEN" >&2')
    const ci = await bella(['run', '--', ...print], {env: env({CI: 'true'})})
    expect(ci.stdout).toBe('out *****\n')
    expect(ci.stderr).toBe('err *****\n')
    const off = await bella(['run', '--no-mask', '--', ...print], {env: env({CI: 'true'})})
    expect(leaks(off.stdout) && leaks(off.stderr)).toBe(true)
    const plain = await bella(['run', '--', ...print], {env: env()})
    expect(leaks(plain.stdout) && leaks(plain.stderr)).toBe(true)
    // Both flags: oclif's path, where the last one wins.
    const last = await bella(['run', '--no-mask', '--mask', '--', ...print], {env: env()})
    expect(last.stdout).toBe('out *****\n')
  })

  it('leaves exit statuses and signal deaths (128+N) as they are without --mask', async () => {
    for (const script of ['exit 42', 'echo "$MASK_TOKEN"; kill -TERM $$', 'kill -KILL $$']) {
      const plain = await bella(['run', '--', ...sh(script)], {env: env()})
      const masked = await bella(['run', '--mask', '--', ...sh(script)], {env: env()})
      expect({script, code: masked.code}).toEqual({script, code: plain.code})
    }
    const masked = await bella(['run', '--mask', '--', ...sh('kill -TERM $$')], {env: env()})
    expect(masked.code).toBe(143)
  })

  it('forwards a signal sent to bella to the masked command, and its output arrives', async () => {
    const record = join(testTempDir('bella-mask-'), 'signals')
    const child = spawn(node, [bellaBin, 'run', '--mask', '--', node, join(fixtures, 'lifecycle-trap.js'), record, 'code=7'], {
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', ...env()},
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS)
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (stdout.includes('ready')) resolve()
      }),
    )
    process.kill(child.pid!, 'SIGTERM')
    const code = await exited
    clearTimeout(timer)
    expect(code).toBe(7)
    expect(stdout).toContain('got SIGTERM')
  })

  it('passes stdin through to the command (and masks what it echoes)', async () => {
    const r = await bella(['run', '--mask', '--', 'cat'], {env: env(), input: `hello\nsecret ${TOKEN}\n`})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('hello\nsecret *****\n')
  })

  it('`bella run --mask -- yes | head -1` ends at once, with the status it has without --mask (141)', async () => {
    const pipeline = (flags: string) => `"${node}" "${bellaBin}" run ${flags} -- yes | head -1; echo "status=\${PIPESTATUS[0]}"`
    const plain = await runProcess('bash', ['-c', pipeline('')], {env: env(), timeoutMs: WAIT_MS})
    const masked = await runProcess('bash', ['-c', pipeline('--mask')], {env: env(), timeoutMs: WAIT_MS})
    // A hang would be killed by the bound (WAIT_MS): bash would then not have printed the status.
    expect(plain.stdout).toBe('y\nstatus=141\n')
    expect(masked.stdout).toBe('y\nstatus=141\n')
  })

  it('writes out all the output before exiting, also when a background process keeps the pipe open', async () => {
    const r = await bella(['run', '--mask', '--', ...sh('head -c 3000000 /dev/zero | tr "\\0" x; echo; echo "$MASK_TOKEN"; sleep 30 & exit 3')], {env: env()})
    expect(r.code).toBe(3)
    expect(r.stdout.length).toBe(3_000_000 + 1 + 6)
    expect(r.stdout.endsWith('x\n*****\n')).toBe(true)
  })

  it('exits once the command has, also when a background process keeps writing to the pipes', async () => {
    // Without --mask bella exits with the command; the loop dies of SIGPIPE once bella is gone.
    const r = await bella(['run', '--mask', '--', ...sh('(while :; do echo "tick $MASK_TOKEN"; sleep 0.1; done) & exit 3')], {env: env(), timeoutMs: WAIT_MS})
    // A hang is killed by the bound (WAIT_MS): no status then.
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/^tick \*\*\*\*\*\n/)
    expect(leaks(r.stdout)).toBe(false)
  })

  const itWithPty = itWithPtyWhen('run-mask')
  const ttyProbe = ['--', node, '-e', "process.stdout.write(`tty=${process.stdout.isTTY === true} ${process.env.MASK_TOKEN}\\nprobe done\\n`)"]

  itWithPty('at a terminal, CI=true leaves the command its terminal (unmasked) and says so once', async () => {
    const t = bellaOnTerminal(['run', ...ttyProbe], env({CI: 'true'}))
    await t.waitFor(/probe done/)
    expect(await t.exit).toBe(0)
    expect(t.screen()).toContain('tty=true')
    expect(leaks(t.screen())).toBe(true)
    expect(t.screen().match(/left unmasked/g)).toHaveLength(1)
  })

  itWithPty('at a terminal, an explicit --mask masks anyway (the command writes to a pipe)', async () => {
    const t = bellaOnTerminal(['run', '--mask', ...ttyProbe], env())
    await t.waitFor(/probe done/)
    expect(await t.exit).toBe(0)
    expect(t.screen()).toContain('tty=false *****')
    expect(leaks(t.screen())).toBe(false)
    expect(t.screen()).not.toContain('left unmasked')
  })

  /**
   * `bella run --watch --mask FLAGS -- COMMAND`; `change` runs once stdout holds `ready(stdout)`
   * (MASK_TOKEN is then set to a new value), then bella is stopped once stdout holds `done(stdout)`.
   * Returns bella's stdout, and the new value.
   */
  async function watchMasked(flags: string[], command: string[], steps: {ready: (out: string) => boolean; change: (next: string) => void; done: (out: string) => boolean}) {
    const next = `tok-${randomBytes(12).toString('hex')}`
    const child = spawn(node, [bellaBin, 'run', '--watch', '--mask', '--poll-interval', '5', ...flags, '--', ...command], {
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', ...env()},
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 3 * WAIT_MS)
    let seen = () => {}
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      seen()
    })
    const until = (test: (out: string) => boolean) =>
      new Promise<void>((resolve) => {
        seen = () => void (test(stdout) && resolve())
        seen()
      })
    try {
      await until(steps.ready)
      steps.change(next)
      emulator.setSecrets(demo, {set: {MASK_TOKEN: next}})
      await until(steps.done)
    } finally {
      emulator.setSecrets(demo, {set: {MASK_TOKEN: TOKEN}})
      process.kill(child.pid!, 'SIGTERM')
    }
    await exited
    clearTimeout(timer)
    return {stdout, next}
  }

  it('with --watch, the command restarted with new secrets is masked too (new values and old)', async () => {
    const starts = (count: number) => (out: string) => out.split('start ').length - 1 >= count
    const {stdout, next} = await watchMasked([], sh('echo "start $MASK_TOKEN"; exec sleep 60'), {ready: starts(1), change: () => {}, done: starts(2)})
    expect(stdout).toBe('start *****\nstart *****\n')
    expect(leaks(stdout, [TOKEN, next])).toBe(false)
  })

  it('with --watch --signal sighup, values fetched while the command runs are masked in its output too', async () => {
    // The command reloads on SIGHUP from a file (as one an agent keeps fresh) and prints it.
    const file = join(testTempDir('bella-mask-hup-'), 'token')
    const script = `process.on('SIGHUP', () => process.stdout.write('reloaded ' + require('fs').readFileSync(${JSON.stringify(file)}, 'utf8') + '\\n')); process.stdout.write('ready\\n'); setInterval(() => {}, 1000)`
    const {stdout, next} = await watchMasked(['--signal', 'sighup'], [node, '-e', script], {
      ready: (out) => out.includes('ready'),
      change: (value) => writeFileSync(file, value),
      done: (out) => out.includes('reloaded'),
    })
    expect(leaks(stdout, [TOKEN, next])).toBe(false)
    expect(stdout).toBe('ready\nreloaded *****\n')
  })
})
