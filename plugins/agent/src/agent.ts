/**
 * The agent service: keeps sink files in sync with the watches of a validated config and tells a
 * process after they changed (SPEC "bella agent", contract §2.2 and the fixes of §5.2 #9–#16).
 *
 * - Each watch polls its cheap change marker on its own timer (the environment's secrets version,
 *   or a provider's hash), with ±10 % jitter; a failing watch backs off exponentially.
 * - A marker that moved refetches that watch only; baselines come from the initial fetch, so there
 *   is no spurious first-tick rewrite, and a marker is committed only after the files were written.
 * - All-or-nothing: while any watch is failing (or has never been fetched) no sink is written and
 *   the files keep their last good content; the merged set is written once every watch is healthy.
 * - Watches merge in order, later wins, keys compared case-sensitively; a key two watches define
 *   is reported once, by name.
 * - Sinks write atomically and skip identical bytes; the process is signalled after every sink
 *   was written, and only when some sink's bytes changed. The pid-file's process must exist.
 * - Every operation (poll, reload, write) runs one at a time, in order, on one queue.
 */
import {lstat} from 'node:fs/promises'
import {isAbsolute} from 'node:path'
import {performance} from 'node:perf_hooks'
import {
  BellaError,
  isBellaError,
  type ApiClient,
  type Env,
  type Registries,
} from '@bella/core'
import {loadAgentConfig, type AgentConfig, type ConfigError, type WatchConfig} from './config/load.js'
import {checkMarker, fetchWatch, type Fetched} from './watch-fetch.js'
import type {AgentLog} from './log.js'
import {pidFileTarget, type PidFileDeps} from './pid-file.js'

export interface AgentOptions {
  /** Absolute path of the config file. */
  configPath: string
  /** The path as the user gave it, for messages. */
  configLabel: string
  /** For `${VAR}` expansion in the config. */
  env: Env
  registries: Registries
  /** Opens the API client; called once, after the config validated. */
  connect: () => Promise<ApiClient>
  once: boolean
  log: AgentLog
  /** Jitter source (tests pin it). */
  random?: () => number
  pidFile?: PidFileDeps
  /** Ceiling of the failure backoff, in seconds (default: 300 or the poll interval if longer). */
  maxBackoffSeconds?: number
  /** Poll timers (tests drive them by hand). */
  timers?: AgentTimers
}

export interface AgentTimers {
  set(callback: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realTimers: AgentTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

interface WatchState {
  config: WatchConfig
  providerSlug?: string
  /** The last marker and secrets that made it into the files. */
  committed?: Fetched
  /** Fetched, not yet written (held while another watch fails, or a write failed). */
  staged?: Fetched
  failure?: {count: number; since: number; message: string}
  timer?: unknown
}

const SIGNAL_NUMBERS: Record<string, number> = {SIGHUP: 1, SIGINT: 2, SIGTERM: 15}
const MAX_COLLISIONS_LISTED = 20

export class Agent {
  private config: AgentConfig | undefined
  private api: ApiClient | undefined
  private watches: WatchState[] = []
  private queue: Promise<unknown> = Promise.resolve()
  private writing: Promise<unknown> | undefined
  private started = false
  private stopping = false
  private holding = false
  private writeFailed = false
  private signalOwed = false
  private readonly reportedCollisions = new Set<string>()
  private readonly random: () => number
  private readonly timers: AgentTimers
  private resolveDone!: (code: number) => void
  private readonly done: Promise<number>

  constructor(private readonly options: AgentOptions) {
    this.random = options.random ?? Math.random
    this.timers = options.timers ?? realTimers
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
  }

  /** Runs until stopped (or, with `once`, until the files are written); resolves the exit code. */
  async run(): Promise<number> {
    const {options} = this
    const config = await loadAgentConfig({path: options.configPath, label: options.configLabel, env: options.env, registries: options.registries})
    if (this.stopping) return this.done
    this.config = config
    await this.removeStale(config)
    this.api = await options.connect()
    if (this.stopping) return this.done
    this.emitStart(config)
    this.emitSinkWarnings(config)
    if (options.once) return Promise.race([this.enqueue(() => this.runOnce()), this.done])
    // Set first: a SIGHUP from now on queues behind the start-up fetch.
    this.started = true
    await this.enqueue(() => this.startWatches(true))
    return this.done
  }

  /** SIGHUP: re-read and re-validate the config; a bad file keeps the running one. */
  reload(): void {
    if (this.options.once) return
    void this.enqueue(() => this.doReload()).catch((error) => this.internalError(error))
  }

  /** SIGTERM/SIGINT: stop polling, let an in-flight write finish, resolve. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopping) return
    this.stopping = true
    for (const watch of this.watches) this.clearTimer(watch)
    void (async () => {
      await this.writing?.catch(() => {})
      const interrupted = this.options.once
      this.emitStopped(interrupted ? `stopped by ${signal} before finishing; files already written stay` : `stopped (${signal})`, signal)
      this.resolveDone(interrupted ? 128 + (SIGNAL_NUMBERS[signal] ?? 15) : 0)
    })()
  }

  // --- one-shot and start-up ------------------------------------------------------------------

  private async runOnce(): Promise<number> {
    await this.startWatches(true)
    if (this.stopping) return this.done
    const outcome = await this.sync()
    if (outcome === 'failed') {
      throw new BellaError('general', 'could not write every sink (see above); files that were written keep the new content', {
        code: 'agent_write_failed',
        suggestions: ['check the sink paths exist and are writable by this user'],
      })
    }
    this.emitStopped('done: every sink is up to date', undefined)
    return 0
  }

  /** Fetches every watch; at start-up a problem retrying cannot fix (auth, unknown target) is fatal. */
  private async startWatches(initial: boolean): Promise<void> {
    const config = this.config!
    this.watches = config.watches.map((watch) => ({config: watch}))
    const watches = this.watches
    const results = await Promise.allSettled(watches.map((watch) => this.fetchWatch(watch)))
    if (this.stopping || watches !== this.watches) return
    const failures: {watch: WatchState; error: unknown}[] = []
    results.forEach((result, index) => {
      const watch = watches[index]!
      if (result.status === 'fulfilled') {
        watch.staged = result.value
        this.emitFetched(watch, result.value, false)
      } else failures.push({watch, error: result.reason})
    })
    if (initial && failures.length > 0 && (this.options.once || failures.some(({error}) => isFatal(error)))) {
      const first = failures.find(({error}) => this.options.once || isFatal(error))!
      throw watchError(first.watch, first.error, failures.length - 1, this.options.once)
    }
    for (const {watch, error} of failures) this.fail(watch, error)
    if (this.options.once) return
    try {
      await this.sync()
    } finally {
      for (const watch of watches) this.schedule(watch)
    }
  }

  private async doReload(): Promise<void> {
    if (this.stopping) return
    if (!this.started) {
      this.options.log.emit({event: 'reload-rejected', level: 'warn', message: 'SIGHUP ignored: still starting up'})
      return
    }
    const {options} = this
    let next: AgentConfig
    try {
      next = await loadAgentConfig({path: options.configPath, label: options.configLabel, env: options.env, registries: options.registries})
    } catch (error) {
      const problems = (error as Partial<ConfigError>).problems
      this.options.log.emit({
        event: 'reload-rejected',
        level: 'error',
        message: `reload rejected, still running the previous config: ${errorMessage(error)}`,
        ...(problems ? {problems} : {}),
      })
      return
    }
    if (this.stopping) return
    for (const watch of this.watches) this.clearTimer(watch)
    this.config = next
    this.reportedCollisions.clear()
    this.holding = false
    this.writeFailed = false
    options.log.emit({
      event: 'reloaded',
      level: 'info',
      message: `reloaded ${next.file}: ${describeConfig(next)}`,
      watches: next.watches.map((w) => w.label),
      sinks: next.sinks.map((s) => s.sink.target),
    })
    this.emitSinkWarnings(next)
    await this.removeStale(next)
    await this.startWatches(false)
  }

  /** Temp files full of secrets that a killed agent left next to its sinks: gone before anything else. */
  private async removeStale(config: AgentConfig): Promise<void> {
    for (const {sink, type} of config.sinks) {
      const removed = await sink.removeStale?.().catch(() => [] as string[])
      if (!removed || removed.length === 0) continue
      this.options.log.emit({
        event: 'notice',
        level: 'info',
        message: `removed ${plural(removed.length, 'stale temp file')} left next to ${sink.target} (${type}) by an earlier bella that was stopped mid-write`,
        target: sink.target,
        removed,
      })
    }
  }

  // --- polling --------------------------------------------------------------------------------

  private schedule(watch: WatchState): void {
    if (this.stopping || !this.watches.includes(watch)) return
    this.clearTimer(watch)
    const interval = watch.config.pollIntervalSeconds
    let seconds: number
    if (watch.failure) {
      const ceiling = Math.max(interval, this.options.maxBackoffSeconds ?? 300)
      seconds = Math.min(interval * 2 ** Math.min(watch.failure.count - 1, 20), ceiling) * (0.8 + 0.4 * this.random())
    } else {
      seconds = interval * (0.9 + 0.2 * this.random())
    }
    watch.timer = this.timers.set(() => {
      watch.timer = undefined
      void this.enqueue(() => this.tick(watch)).catch((error) => this.internalError(error))
    }, Math.round(seconds * 1000))
  }

  private async tick(watch: WatchState): Promise<void> {
    if (this.stopping || !this.watches.includes(watch)) return
    try {
      const marker = await this.checkMarker(watch)
      const known = watch.staged ?? watch.committed
      if (!known || marker !== known.marker) {
        // Any other marker, not only a higher version, means: fetch and compare (watch-fetch.ts).
        const fetched = {...(await this.fetchWatch(watch)), marker}
        if (this.stopping || !this.watches.includes(watch)) return
        if (known?.version !== undefined && fetched.version !== undefined && fetched.version < known.version) {
          this.options.log.emit({
            event: 'notice',
            level: 'info',
            message: `${watch.config.label}: the secrets' version went back from ${known.version} to ${fetched.version} (a server reset or restore?); comparing the secrets themselves`,
            watch: watch.config.label,
          })
        }
        if (known && fetched.digest === known.digest) {
          // Same secrets: remember the new marker, write nothing.
          known.marker = fetched.marker
          known.version = fetched.version
          const version = fetched.version === undefined ? '' : ` (version ${fetched.version})`
          this.options.log.emit({
            event: 'fetched',
            level: 'info',
            message: `${watch.config.label}: version moved${version}, secrets unchanged; nothing to write`,
            watch: watch.config.label,
            changed: false,
            ...(fetched.version === undefined ? {} : {version: fetched.version}),
          })
        } else {
          watch.staged = fetched
          this.emitFetched(watch, fetched, known !== undefined)
        }
      } else {
        this.options.log.emit({event: 'fetched', level: 'debug', message: `${watch.config.label}: no change`, watch: watch.config.label, changed: false})
      }
      if (watch.failure) {
        const seconds = Math.round((Date.now() - watch.failure.since) / 1000)
        this.options.log.emit({
          event: 'recovered',
          level: 'info',
          message: `${watch.config.label} answers again (after ${watch.failure.count} failed attempt${watch.failure.count === 1 ? '' : 's'} over ${seconds}s)`,
          watch: watch.config.label,
          failures: watch.failure.count,
        })
        watch.failure = undefined
      }
    } catch (error) {
      if (this.stopping || !this.watches.includes(watch)) return
      this.fail(watch, error)
      this.schedule(watch)
      return
    }
    try {
      if (this.holding || this.writeFailed || this.watches.some((w) => w.staged)) await this.sync()
    } finally {
      // Whatever happened while writing, this watch keeps polling.
      this.schedule(watch)
    }
  }

  private fail(watch: WatchState, error: unknown): void {
    const message = errorMessage(error)
    if (!watch.failure) {
      watch.failure = {count: 1, since: Date.now(), message}
      this.options.log.emit({
        event: 'fetch-failed',
        level: 'warn',
        message: `${watch.config.label}: ${message}; retrying with backoff, no file is rewritten until every watch answers`,
        watch: watch.config.label,
        ...errorFields(error),
      })
      return
    }
    watch.failure.count += 1
    const changed = message !== watch.failure.message
    watch.failure.message = message
    this.options.log.emit({
      event: 'fetch-failed',
      level: changed ? 'warn' : 'debug',
      message: `${watch.config.label}: still failing (attempt ${watch.failure.count}): ${message}`,
      watch: watch.config.label,
      attempt: watch.failure.count,
      ...errorFields(error),
    })
  }

  // --- API ------------------------------------------------------------------------------------

  private checkMarker(watch: WatchState): Promise<string> {
    return checkMarker(this.api!, watch.config, watch)
  }

  private fetchWatch(watch: WatchState): Promise<Fetched> {
    return fetchWatch(this.api!, watch.config, watch)
  }

  // --- writing and signalling -----------------------------------------------------------------

  /** Writes the merged secrets to every sink when every watch has good data; signals after. */
  private async sync(): Promise<'written' | 'unchanged' | 'held' | 'failed'> {
    const config = this.config!
    if (this.stopping) return 'held'
    const waiting = this.watches.filter((w) => w.failure || (!w.staged && !w.committed))
    if (waiting.length > 0) {
      if (!this.holding) {
        this.options.log.emit({
          event: 'held',
          level: 'warn',
          message: `not writing: ${waiting.map((w) => w.config.label).join(', ')} ${waiting.length === 1 ? 'has' : 'have'} no current secrets; the files keep their last good content`,
          watches: waiting.map((w) => w.config.label),
        })
      }
      this.holding = true
      return 'held'
    }
    const releasing = this.holding
    this.holding = false
    const started = performance.now()
    const merged = this.merge()
    const count = Object.keys(merged).length
    let outcome: 'written' | 'unchanged' | 'failed' = 'unchanged'
    const work = (async () => {
      // A sink that throws synchronously (a third party's) counts as a failed write like any other.
      const results = await Promise.allSettled(config.sinks.map(async (s) => s.sink.write(merged)))
      let written = 0
      let failed = 0
      for (const [index, result] of results.entries()) {
        const {sink, type} = config.sinks[index]!
        const ms = Math.round((performance.now() - started) * 10) / 10
        if (result.status === 'fulfilled') {
          if (result.value === 'written') written++
          this.options.log.emit({
            event: result.value === 'written' ? 'written' : 'unchanged',
            level: 'info',
            message: result.value === 'written' ? `wrote ${plural(count, 'secret')} to ${sink.target} (${type})` : `${sink.target} unchanged (${type})`,
            sink: type,
            target: sink.target,
            secrets: count,
            ms,
          })
        } else {
          failed++
          this.options.log.emit({
            event: 'write-failed',
            // Said once per failing streak; repeats only with --verbose.
            level: this.writeFailed ? 'debug' : 'error',
            message: `could not write ${sink.target} (${type}): ${errorMessage(result.reason)}${await whatStays(sink.target)}`,
            sink: type,
            target: sink.target,
          })
        }
      }
      if (written > 0) this.signalOwed = true
      if (failed > 0) {
        // Staged data stays staged: the next poll retries; the signal waits for every sink.
        this.writeFailed = true
        outcome = 'failed'
        return
      }
      this.writeFailed = false
      for (const watch of this.watches) {
        if (watch.staged) watch.committed = watch.staged
        watch.staged = undefined
      }
      outcome = written > 0 ? 'written' : 'unchanged'
      if (this.signalOwed) await this.signal()
      this.options.log.emit({
        event: 'synced',
        level: 'debug',
        message: `${plural(count, 'secret')}: ${written} sink(s) written, ${config.sinks.length - written} unchanged${releasing ? ' (writes resumed)' : ''} in ${Math.round(performance.now() - started)} ms`,
        secrets: count,
        written,
        ms: Math.round((performance.now() - started) * 10) / 10,
      })
    })()
    this.writing = work
    try {
      await work
    } finally {
      if (this.writing === work) this.writing = undefined
    }
    return outcome
  }

  /** Later watches win; case-sensitive; collisions reported once per key, by name only. */
  private merge(): Record<string, string> {
    const sets = this.watches.map((w) => (w.staged ?? w.committed)!.secrets)
    if (sets.length === 1) return sets[0]!
    const merged = new Map<string, string>()
    const owner = new Map<string, number>()
    const collisions: string[] = []
    sets.forEach((secrets, index) => {
      for (const key of Object.keys(secrets)) {
        const previous = owner.get(key)
        if (previous !== undefined && previous !== index && !this.reportedCollisions.has(key)) {
          this.reportedCollisions.add(key)
          collisions.push(`${key} (${this.watches[previous]!.config.label} → ${this.watches[index]!.config.label})`)
        }
        owner.set(key, index)
        merged.set(key, secrets[key]!)
      }
    })
    if (collisions.length > 0) {
      const listed = collisions.slice(0, MAX_COLLISIONS_LISTED).join(', ')
      const more = collisions.length > MAX_COLLISIONS_LISTED ? ` and ${collisions.length - MAX_COLLISIONS_LISTED} more` : ''
      this.options.log.emit({
        event: 'collision',
        level: 'warn',
        message: `${collisions.length} key${collisions.length === 1 ? ' is' : 's are'} defined by more than one watch; the later watch wins: ${listed}${more}`,
        keys: collisions.map((c) => c.slice(0, c.indexOf(' ('))),
      })
    }
    // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary key.
    return Object.fromEntries(merged)
  }

  private async signal(): Promise<void> {
    this.signalOwed = false
    const processConfig = this.config!.process
    if (!processConfig || processConfig.inert || !processConfig.pidFile) return
    const label = processConfig.pidFileLabel ?? processConfig.pidFile
    const found = await pidFileTarget(processConfig.pidFile, label, this.options.pidFile)
    if (!found.ok) {
      this.options.log.emit({event: 'signal-skipped', level: 'warn', message: `not signalling: ${found.reason}`, pidFile: label})
      return
    }
    try {
      await processConfig.strategy.notify(found.target)
    } catch (error) {
      this.options.log.emit({
        event: 'signal-skipped',
        level: 'warn',
        message: `could not ${processConfig.signal} ${found.target.description}: ${errorMessage(error)}`,
        pid: found.pid,
        pidFile: label,
      })
      return
    }
    if (found.target.sent.length === 0) {
      this.options.log.emit({
        event: 'signal-skipped',
        level: 'warn',
        message: `process ${found.pid} from ${label} exited before it could be signalled`,
        pid: found.pid,
        pidFile: label,
      })
      return
    }
    this.options.log.emit({
      event: 'signalled',
      level: 'info',
      message: `sent ${found.target.sent.join(', ')} to ${found.target.description}`,
      signal: found.target.sent.join(','),
      strategy: processConfig.signal,
      pid: found.pid,
      pidFile: label,
    })
  }

  // --- plumbing -------------------------------------------------------------------------------

  /** Resolves once every queued operation has finished (for tests). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const queue = this.queue
      await queue
      await this.writing?.catch(() => {})
      if (queue === this.queue) return
    }
  }

  private clearTimer(watch: WatchState): void {
    if (watch.timer !== undefined) this.timers.clear(watch.timer)
    watch.timer = undefined
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn)
    this.queue = next.catch(() => {})
    return next
  }

  /** A bug, not an API problem: report it and keep serving the last good files. */
  private internalError(error: unknown): void {
    this.options.log.emit({event: 'error', level: 'error', message: `internal error: ${errorMessage(error)}`})
  }

  private emitStart(config: AgentConfig): void {
    this.options.log.emit({
      event: 'start',
      level: 'info',
      message: `${this.options.once ? 'once' : 'started'}: ${describeConfig(config, this.options.once)}`,
      config: config.file,
      once: this.options.once,
      watches: config.watches.map((w) => ({watch: w.label, pollInterval: w.pollIntervalSeconds})),
      sinks: config.sinks.map((s) => ({type: s.type, target: s.sink.target})),
      ...(config.process ? {signal: config.process.signal, pidFile: config.process.pidFileLabel ?? null} : {}),
      pid: process.pid,
    })
  }

  private emitSinkWarnings(config: AgentConfig): void {
    for (const {sink, type} of config.sinks) {
      for (const warning of sink.warnings ?? []) {
        this.options.log.emit({event: 'sink-warning', level: 'warn', message: `${type} sink: ${warning}`, sink: type, target: sink.target})
      }
    }
  }

  private emitFetched(watch: WatchState, fetched: Fetched, changed: boolean): void {
    const count = Object.keys(fetched.secrets).length
    const version = fetched.version === undefined ? '' : ` (version ${fetched.version})`
    this.options.log.emit({
      event: 'fetched',
      level: 'info',
      message: changed ? `${watch.config.label} changed: fetched ${plural(count, 'secret')}${version}` : `fetched ${plural(count, 'secret')} from ${watch.config.label}${version}`,
      watch: watch.config.label,
      secrets: count,
      changed,
      ...(fetched.version === undefined ? {} : {version: fetched.version}),
    })
  }

  private emitStopped(message: string, signal: NodeJS.Signals | undefined): void {
    this.options.log.emit({
      event: 'stopped',
      level: 'info',
      message,
      ...(signal ? {signal} : {}),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    })
  }
}

/** What a failed write left at `target`: only a regular file there keeps a previous content. */
async function whatStays(target: string): Promise<string> {
  if (!isAbsolute(target)) return ''
  try {
    return (await lstat(target)).isFile() ? '; it keeps its previous content' : ''
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? '; it did not exist and was not created'
      : ''
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function describeConfig(config: AgentConfig, once = false): string {
  const watches = config.watches.map((w) => (once ? w.label : `${w.label} every ${w.pollIntervalSeconds}s`)).join(', ')
  const sinks = config.sinks.map((s) => `${s.type} ${s.sink.target}`).join(', ')
  const signal = config.process && !config.process.inert ? `; ${config.process.signal} → ${config.process.pidFileLabel}` : ''
  return `${once ? 'fetching' : 'watching'} ${watches}; writing ${sinks}${signal}`
}

/** A start-up failure that retrying will not fix. */
function isFatal(error: unknown): boolean {
  return isBellaError(error) && (error.kind === 'auth' || error.kind === 'usage' || error.code === 'api_not_found')
}

function watchError(watch: WatchState, error: unknown, others: number, once: boolean): BellaError {
  const more = others > 0 ? ` (and ${others} more watch${others === 1 ? '' : 'es'} failing)` : ''
  const nothing = once ? '; nothing was written' : ''
  const message = `cannot fetch ${watch.config.label}: ${errorMessage(error)}${more}${nothing}`
  if (isBellaError(error)) return new BellaError(error.kind, message, {code: error.code, suggestions: error.suggestions, cause: error})
  return new BellaError('general', message, {cause: error})
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function errorFields(error: unknown): Record<string, unknown> {
  return isBellaError(error) ? {code: error.code, kind: error.kind} : {}
}
