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
import {BellaError, type ApiClient, type Env, type Registries} from '@bella/core'
import {loadAgentConfig, type AgentConfig, type ConfigError} from './config/load.js'
import type {AgentLog} from './log.js'
import {contentChanged, emitFetched, emitSinkWarnings, emitStart, emitStopped, removeStaleTempFiles} from './events.js'
import {describeConfig, errorMessage, isFatal, watchError} from './messages.js'
import {ErrorDescriber} from './redaction.js'
import {emitRecovered, nextPollSeconds, recordFailure} from './watch-health.js'
import type {PidFileDeps} from './pid-file.js'
import {SinkSync, type WatchState} from './sink-sync.js'
import {checkMarker, fetchWatch, type Fetched} from './watch-fetch.js'
import type {AgentSnapshots} from './offline.js'

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
  /** Offline snapshots of environment watches (--max-stale, --fallback-only); attached by connect. */
  snapshots?: AgentSnapshots
}

export interface AgentTimers {
  set(callback: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realTimers: AgentTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}


const SIGNAL_NUMBERS: Record<string, number> = {SIGHUP: 1, SIGINT: 2, SIGTERM: 15}

export class Agent {
  private config: AgentConfig | undefined
  private api: ApiClient | undefined
  private watches: WatchState[] = []
  private queue: Promise<unknown> = Promise.resolve()
  private started = false
  private stopping = false
  private readonly errors = new ErrorDescriber(() => this.watches.flatMap((w) => [w.staged?.secrets, w.committed?.secrets]))
  private readonly sinks: SinkSync
  private readonly random: () => number
  private readonly timers: AgentTimers
  private resolveDone!: (code: number) => void
  private readonly done: Promise<number>

  constructor(private readonly options: AgentOptions) {
    this.random = options.random ?? Math.random
    this.timers = options.timers ?? realTimers
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    this.sinks = new SinkSync(options.log, this.errors, options.pidFile)
  }

  /** Runs until stopped (or, with `once`, until the files are written); resolves the exit code. */
  async run(): Promise<number> {
    const {options} = this
    const config = await loadAgentConfig({path: options.configPath, label: options.configLabel, env: options.env, registries: options.registries})
    if (this.stopping) return this.done
    this.config = config
    await removeStaleTempFiles(config, this.options.log)
    this.api = await options.connect()
    if (this.stopping) return this.done
    emitStart(config, this.options.once, this.options.log)
    emitSinkWarnings(config, this.options.log)
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
      await this.sinks.settled()
      const interrupted = this.options.once
      emitStopped(this.options.log, interrupted ? `stopped by ${signal} before finishing; files already written stay` : `stopped (${signal})`, signal)
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
    emitStopped(this.options.log, 'done: every sink is up to date', undefined)
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
        emitFetched(this.options.log, watch.config.label, result.value, false)
      } else failures.push({watch, error: result.reason})
    })
    if (initial && failures.length > 0 && (this.options.once || failures.some(({error}) => isFatal(error)))) {
      const first = failures.find(({error}) => this.options.once || isFatal(error))!
      throw watchError(first.watch.config.label, first.error, this.errors.describe(first.error, false), failures.length - 1, this.options.once)
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
    this.sinks.reset()
    options.log.emit({
      event: 'reloaded',
      level: 'info',
      message: `reloaded ${next.file}: ${describeConfig(next)}`,
      watches: next.watches.map((w) => w.label),
      sinks: next.sinks.map((s) => s.sink.target),
    })
    emitSinkWarnings(next, this.options.log)
    await removeStaleTempFiles(next, this.options.log)
    await this.startWatches(false)
  }

  // --- polling --------------------------------------------------------------------------------

  private schedule(watch: WatchState): void {
    if (this.stopping || !this.watches.includes(watch)) return
    this.clearTimer(watch)
    const seconds = nextPollSeconds(watch.config.pollIntervalSeconds, watch.failure, this.options.maxBackoffSeconds ?? 300, this.random)
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
        if (known && !contentChanged(this.options.log, watch.config.label, known, fetched)) {
          // Same secrets: remember the new marker, write nothing.
          known.marker = fetched.marker
          known.version = fetched.version
        } else {
          watch.staged = fetched
          emitFetched(this.options.log, watch.config.label, fetched, known !== undefined)
        }
      } else {
        this.options.log.emit({event: 'fetched', level: 'debug', message: `${watch.config.label}: no change`, watch: watch.config.label, changed: false})
      }
      if (watch.failure) {
        emitRecovered(this.options.log, watch.config.label, watch.failure)
        watch.failure = undefined
      }
    } catch (error) {
      if (this.stopping || !this.watches.includes(watch)) return
      this.fail(watch, error)
      this.schedule(watch)
      return
    }
    try {
      if (this.sinks.owesWrite(this.watches)) await this.sync()
    } finally {
      // Whatever happened while writing, this watch keeps polling.
      this.schedule(watch)
    }
  }

  private fail(watch: WatchState, error: unknown): void {
    watch.failure = recordFailure(this.options.log, watch.config.label, watch.failure, this.errors.describe(error, false), error)
  }

  // --- API ------------------------------------------------------------------------------------

  private checkMarker(watch: WatchState): Promise<string> {
    const live = () => checkMarker(this.api!, watch.config, watch)
    return this.options.snapshots ? this.options.snapshots.marker(watch.config, live) : live()
  }

  private fetchWatch(watch: WatchState): Promise<Fetched> {
    const live = () => fetchWatch(this.api!, watch.config, watch)
    return this.options.snapshots ? this.options.snapshots.fetch(watch.config, live) : live()
  }

  private sync(): ReturnType<SinkSync['sync']> {
    return this.sinks.sync(this.config!, this.watches, () => this.stopping)
  }

  // --- plumbing -------------------------------------------------------------------------------

  /** Resolves once every queued operation has finished (for tests). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const queue = this.queue
      await queue
      await this.sinks.settled()
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
    this.options.log.emit({event: 'error', level: 'error', message: `internal error: ${this.errors.describe(error)}`})
  }
}
