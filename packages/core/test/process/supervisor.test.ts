import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {copyFileSync, chmodSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {exitCodeOf, isBellaError} from '../../src/errors.js'
import {ChildProcessHandle, type ChildSpec, runChild, Supervisor, FORWARDED_SIGNALS} from '../../src/process/index.js'
import {fixture, recorded, removeDir, tempDir} from './helpers.js'

const node = process.execPath
const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined))
const quiet = {env, stdio: 'ignore'} as const
const piped: Pick<ChildSpec, 'env' | 'stdio'> = {env, stdio: ['ignore', 'pipe', 'inherit']}

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => removeDir(dir))

// Leftover children from a failed assertion must not outlive the test.
const started: ChildProcessHandle[] = []
afterEach(() => {
  for (const h of started.splice(0)) h.signal('SIGKILL')
})

const listenerCounts = () => FORWARDED_SIGNALS.map((s) => process.listenerCount(s))

/** Resolves with the first line matching `pattern` on `stream`. */
function line(stream: Readable | null, pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
  if (!stream) throw new Error('no stream')
  return new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(text)}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const match = text.match(pattern)
      if (match) {
        clearTimeout(timer)
        stream.off('data', onData)
        resolve(match)
      }
    }

    stream.on('data', onData)
  })
}

async function startRecorder(supervisor: Supervisor, file: string, exitOn = 'SIGTERM', exitCode = 0): Promise<ChildProcessHandle> {
  const handle = await supervisor.start({...piped, command: node, args: [fixture('signal-recorder.js'), file, exitOn, String(exitCode)]})
  started.push(handle)
  await line(handle.stdout, /ready/)
  return handle
}

describe('runChild: exit status', () => {
  it.each([0, 3, 42])('passes exit status %i through', async (code) => {
    expect(await runChild({...quiet, command: node, args: [fixture('exit-with.js'), String(code)]})).toBe(code)
  })

  it.each([
    ['SIGKILL', 137],
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ])('a child killed by %s gives %i (128+N)', async (signal, expected) => {
    expect(await runChild({...quiet, command: node, args: [fixture('kill-self.js'), signal]})).toBe(expected)
  })

  it('resolves the command on the child env PATH and keeps argv[0] as typed', async () => {
    const spec: ChildSpec = {...quiet, command: 'sh', args: ['-c', 'test "$0" = sh && exit 7'], env: {PATH: '/usr/bin:/bin'}}
    expect(await runChild(spec)).toBe(7)
  })

  it('passes exactly the given environment', async () => {
    const spec: ChildSpec = {
      ...quiet,
      command: node,
      args: ['-e', 'process.exit(process.env.ONLY === "yes" && process.env.HOME === undefined ? 5 : 1)'],
      env: {ONLY: 'yes'},
    }
    expect(await runChild(spec)).toBe(5)
  })

  it('leaves no signal handlers behind', async () => {
    const before = listenerCounts()
    await runChild({...quiet, command: node, args: [fixture('exit-with.js'), '0']})
    await runChild({...quiet, command: 'no-such-command-xyz'}).catch(() => {})
    expect(listenerCounts()).toEqual(before)
  })
})

describe('runChild: commands that cannot start', () => {
  async function startError(spec: Omit<ChildSpec, 'env' | 'stdio'>) {
    try {
      await runChild({...quiet, ...spec})
    } catch (error) {
      expect(isBellaError(error)).toBe(true)
      return error as Error & {kind: string; suggestions: string[]}
    }

    throw new Error('expected runChild to reject')
  }

  it('not found → 127', async () => {
    const error = await startError({command: 'no-such-command-xyz'})
    expect(exitCodeOf(error)).toBe(127)
    expect(error.message).toContain('no-such-command-xyz')
  })

  it('a non-executable file → 126', async () => {
    const file = join(dir, 'not-executable.sh')
    copyFileSync(fixture('not-executable.sh'), file)
    chmodSync(file, 0o644)
    const error = await startError({command: file})
    expect(exitCodeOf(error)).toBe(126)
    expect(error.suggestions.join(' ')).toContain('chmod +x')
  })

  it('a directory → 126', async () => {
    const sub = join(dir, 'a-directory')
    mkdirSync(sub)
    expect(exitCodeOf(await startError({command: sub}))).toBe(126)
  })

  it('a script whose #! interpreter is missing → 127', async () => {
    const {writeFileSync} = await import('node:fs')
    const file = join(dir, 'bad-interpreter')
    writeFileSync(file, '#!/nonexistent/interpreter\n', {mode: 0o755})
    const error = await startError({command: file})
    expect(exitCodeOf(error)).toBe(127)
    expect(error.message).toContain('interpreter')
  })

  it('a failed start also rejects wait(), so the supervisor owns that exit code too', async () => {
    const supervisor = new Supervisor()
    await expect(supervisor.start({...quiet, command: 'no-such-command-xyz'})).rejects.toMatchObject({kind: 'notFound'})
    await expect(supervisor.wait()).rejects.toMatchObject({kind: 'notFound'})
    expect(supervisor.finished).toBe(true)
  })
})

describe('stop()', () => {
  it('sends SIGTERM and resolves when a cooperative child exits', async () => {
    const supervisor = new Supervisor()
    const file = join(dir, 'graceful')
    const child = await startRecorder(supervisor, file, 'SIGTERM', 0)
    const exit = await supervisor.stop({killTimeoutMs: 5000})
    expect(exit).toEqual({code: 0, signal: null, exitCode: 0})
    expect(recorded(file)).toEqual(['SIGTERM'])
    expect(child.signal('SIGHUP')).toBe(false) // never signals a reaped pid
    supervisor.dispose()
  })

  it('escalates to SIGKILL after the timeout when the child ignores SIGTERM', async () => {
    const supervisor = new Supervisor()
    const file = join(dir, 'stubborn')
    await startRecorder(supervisor, file, 'none')
    const t0 = Date.now()
    const exit = await supervisor.stop({killTimeoutMs: 300})
    const elapsed = Date.now() - t0
    expect(exit).toEqual({code: null, signal: 'SIGKILL', exitCode: 137})
    expect(recorded(file)).toEqual(['SIGTERM']) // it did get (and ignore) the SIGTERM first
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(3000)
    // a requested stop does not end the supervisor: a restart may follow
    expect(supervisor.finished).toBe(false)
    supervisor.dispose()
  })

  it('can use another first signal', async () => {
    const supervisor = new Supervisor()
    const file = join(dir, 'hup-stop')
    await startRecorder(supervisor, file, 'SIGHUP', 9)
    expect((await supervisor.stop({signal: 'SIGHUP', killTimeoutMs: 5000}))?.exitCode).toBe(9)
    expect(recorded(file)).toEqual(['SIGHUP'])
    supervisor.dispose()
  })

  it('with final: true ends the supervisor with that exit status', async () => {
    const supervisor = new Supervisor()
    await startRecorder(supervisor, join(dir, 'final'), 'SIGTERM', 4)
    await supervisor.stop({final: true})
    expect(await supervisor.wait()).toBe(4)
  })
})

describe('restart and the final exit code', () => {
  it('replaces the child; the supervisor ends with the *new* child’s own exit', async () => {
    const supervisor = new Supervisor()
    const fileA = join(dir, 'restart-a')
    const fileB = join(dir, 'restart-b')
    const a = await startRecorder(supervisor, fileA, 'SIGTERM', 5)
    const b = await (async () => {
      const next = await supervisor.restart(
        {...piped, command: node, args: [fixture('signal-recorder.js'), fileB, 'SIGUSR2', '7']},
        {killTimeoutMs: 5000},
      )
      if (!next) throw new Error('restart did not start a child')
      started.push(next)
      await line(next.stdout, /ready/)
      return next
    })()
    expect(b.pid).not.toBe(a.pid)
    expect(a.exitStatus?.exitCode).toBe(5) // old child stopped gracefully …
    expect(supervisor.finished).toBe(false) // … without ending the supervisor
    expect(supervisor.current).toBe(b)

    expect(supervisor.signal('SIGHUP')).toBe(true) // --signal sighup
    await line(b.stdout, /got SIGHUP/)
    supervisor.signal('SIGUSR2') // makes B exit 7 by itself
    expect(await supervisor.wait()).toBe(7)
    expect(recorded(fileA)).toEqual(['SIGTERM'])
    expect(recorded(fileB)).toEqual(['SIGHUP', 'SIGUSR2'])
    expect(supervisor.current).toBeUndefined()
  })

  it('refuses to start a second child while one runs', async () => {
    const supervisor = new Supervisor()
    await startRecorder(supervisor, join(dir, 'single'))
    await expect(supervisor.start({...quiet, command: node, args: ['-e', '0']})).rejects.toThrow(/already has a child/)
    await supervisor.stop({final: true})
    expect(await supervisor.wait()).toBe(0)
  })
})

describe('ownProcessGroup', () => {
  it('signals reach the whole group, including grandchildren', async () => {
    const supervisor = new Supervisor()
    const file = join(dir, 'grandchild')
    const recorder = `"${node}" "${fixture('signal-recorder.js')}" "${file}"`
    const handle = await supervisor.start({...piped, command: 'sh', args: ['-c', `${recorder} & wait`], ownProcessGroup: true})
    started.push(handle)
    const [, pid] = await line(handle.stdout, /ready (\d+)/)
    try {
      expect(Number(pid)).not.toBe(handle.pid) // the recorder is a grandchild
      const gotTerm = line(handle.stdout, /got SIGTERM/) // sh may exit before the recorder writes
      await supervisor.stop({killTimeoutMs: 5000})
      await gotTerm
      expect(recorded(file)).toEqual(['SIGTERM'])
    } finally {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }

    supervisor.dispose()
  })
})
