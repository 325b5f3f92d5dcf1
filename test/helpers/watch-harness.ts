/**
 * The harness of the `bella run --watch` end-to-end tests: the real bin/run.js against an
 * emulator of its own, with test/fixtures/watch-child.js recording every start (pid, time, the
 * env names asked for) and signal as JSON lines. Scenarios wait for events (fixture records,
 * stderr lines, emulator requests), never for fixed times.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {createServer, connect, type AddressInfo, type Server} from 'node:net'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import type {RequestLogEntry} from '../../plugins/emulator/src/index.js'
import {bellaBin, fixtures, isolatedHome} from './cli.js'
import {testTempDir} from './temp.js'

export const POLL_S = 5
export const POLL_MS = POLL_S * 1000
/** SPEC: from a change on the server to the new child running ≤ poll interval + 1 s. */
export const BUDGET_MS = POLL_MS + 1000
/** Only for starting a node process on a loaded 2-core machine (the fixture records after boot). */
export const PROCESS_START_SLACK_MS = 750
export const WAIT_MS = 20_000
export const TEST_TIMEOUT_MS = 60_000
export const demo = {project: 'demo', environment: 'dev'}

export interface ChildEvent {
  e: 'start' | 'signal' | 'crash'
  pid: number
  t: number
  env?: Record<string, string | null>
  sig?: string
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A TCP pass-through to the emulator that counts the bytes on the wire, headers included. */
export async function countingProxy(emulator: Emulator): Promise<{url: string; bytes: () => number; close: () => void}> {
  let bytes = 0
  const server: Server = createServer((client) => {
    const upstream = connect(emulator.port, '127.0.0.1')
    client.on('data', (d: Buffer) => {
      bytes += d.length
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      bytes += d.length
      client.write(d)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {url: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close()}
}

/** One `bella run --watch` under test, with its own emulator and fixture log. */
export class Watch {
  readonly log: string
  readonly proc: ChildProcess
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  private err = ''

  private constructor(
    readonly emulator: Emulator,
    bellaArgs: string[],
    childArgs: string[],
    readonly proxy?: Awaited<ReturnType<typeof countingProxy>>,
  ) {
    const dir = testTempDir('bella-watch-')
    this.log = join(dir, 'events.jsonl')
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      ...isolatedHome(),
      BELLA_BAXTER_URL: proxy?.url ?? emulator.url,
      BELLA_BAXTER_API_KEY: emulator.apiKey,
    }
    const args = [bellaBin, 'run', '--watch', '--poll-interval', String(POLL_S), ...bellaArgs, '--', process.execPath, join(fixtures, 'watch-child.js'), this.log, ...childArgs]
    // Own session: a terminal running jest must not be involved in these signals.
    this.proc = spawn(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'pipe'], detached: true})
    this.proc.stderr!.on('data', (d: Buffer) => (this.err += d.toString()))
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({code, signal})))
  }

  static async start(bellaArgs: string[], childArgs: string[], options: {proxy?: boolean} = {}): Promise<Watch> {
    const emulator = await startEmulator({port: 0})
    const watch = new Watch(emulator, bellaArgs, childArgs, options.proxy ? await countingProxy(emulator) : undefined)
    await watch.event('the first child', (e) => e.e === 'start')
    return watch
  }

  get stderr(): string {
    return this.err
  }

  events(): ChildEvent[] {
    if (!existsSync(this.log)) return []
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ChildEvent)
  }

  starts(): ChildEvent[] {
    return this.events().filter((e) => e.e === 'start')
  }

  event(what: string, match: (e: ChildEvent) => boolean, timeoutMs = WAIT_MS): Promise<ChildEvent> {
    return until(`${what} (events so far: ${JSON.stringify(this.events())}; stderr: ${JSON.stringify(this.err)})`, () => this.events().find(match), timeoutMs)
  }

  line(pattern: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return until(`stderr ${pattern} (stderr: ${JSON.stringify(this.err)})`, () => this.err.match(pattern) ?? undefined, timeoutMs)
  }

  count(pattern: RegExp): number {
    return this.err.split('\n').filter((l) => pattern.test(l)).length
  }

  /** Resolves at the next request the emulator answers that matches. */
  request(match: (r: RequestLogEntry) => boolean, timeoutMs = WAIT_MS): Promise<RequestLogEntry> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`timed out waiting for a request; stderr: ${JSON.stringify(this.err)}`))
      }, timeoutMs)
      const off = this.emulator.onRequest((r) => {
        if (!match(r)) return
        clearTimeout(timer)
        off()
        resolve(r)
      })
    })
  }

  change(set: Record<string, string>): number {
    this.emulator.setSecrets(demo, {set})
    return Date.now()
  }

  async cleanup(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL')
    for (const e of this.starts()) if (alive(e.pid)) process.kill(e.pid, 'SIGKILL')
    this.proxy?.close()
    await this.emulator.close()
  }
}

export const isVersionPoll = (r: RequestLogEntry) => r.path.endsWith('/secrets/version')
export const isFullFetch = (r: RequestLogEntry) => r.path.endsWith('/secrets')

/** Runs a scenario with a Watch, always cleaning up (children of a SIGKILLed bella included). */
export async function scenario(
  bellaArgs: string[],
  childArgs: string[],
  body: (w: Watch) => Promise<void>,
  options: {proxy?: boolean} = {},
): Promise<void> {
  const watch = await Watch.start(bellaArgs, childArgs, options)
  try {
    await body(watch)
  } finally {
    await watch.cleanup()
  }
}
