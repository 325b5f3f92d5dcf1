import {ChildProcessHandle, type ChildSpec, type StopOptions} from './child.js'
import {type ChildExit, signalNumber} from './exit.js'
import {type OrphanWatch, watchForOrphanZombies} from './pid1.js'
import {type SignalEvent, type SignalForwarding, installSignalForwarding} from './signals.js'

export interface SupervisorOptions {
  /** Forward FORWARDED_SIGNALS to the current child (default true). */
  forwardSignals?: boolean
  /** Override the forwarded set (default FORWARDED_SIGNALS). */
  signals?: readonly NodeJS.Signals[]
  /** See SignalForwardingOptions.terminalDelivered (tests inject this). */
  terminalDelivered?: (child: ChildProcessHandle) => boolean
  /** See SignalForwardingOptions.secondInterruptWindowMs (default: the 10 s kill timeout). */
  secondInterruptWindowMs?: number
  /** Observe signals bella received and what was done with them (e.g. for --verbose). */
  onSignal?: (event: SignalEvent) => void
  /** Watch for orphaned zombies and print a hint (default: when process.pid === 1). */
  pid1?: boolean
  /** Where warnings go; default one line on stderr prefixed "Warning: ". */
  warn?: (message: string) => void
  /**
   * Asked when the current child exits by itself (not through stop()/restart(), and not while
   * bella is shutting down). Return true to keep the supervisor going with no child, e.g. so
   * --watch can start a crash-looping child again after a backoff; a terminating signal received
   * meanwhile still ends it (128+N), and `stop({final: true})` ends it with this child's status.
   * Default: the child's exit ends the supervisor.
   */
  keepGoingAfterExit?: (exit: ChildExit, child: ChildProcessHandle) => boolean
  /** Grace period between SIGTERM and SIGKILL when bella crashes under a child (default 10 s). */
  killTimeoutMs?: number
}

/** Signals whose default action ends a process: with no child to pass them to, they end bella. */
const TERMINATING = new Set<NodeJS.Signals>(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'])

type Outcome = {exitCode: number} | {error: unknown}

/**
 * Runs one child at a time and owns bella's final exit code, across restarts.
 *
 *  - `start(spec)` starts a child; signals bella receives go to whichever child is current.
 *  - When the current child exits on its own (or from a forwarded signal), the supervisor is done:
 *    `wait()` resolves with its exit code (128+N for signal N).
 *  - `stop()` / `restart()` end a child *without* ending the supervisor (for --watch); a
 *    terminating signal bella gets meanwhile still ends it, and no new child is started.
 *  - A child that cannot be started ends the supervisor too: `start()` and `wait()` reject with
 *    the BellaError (126/127).
 *
 * Handlers are installed at the first start() and removed when the supervisor finishes or is
 * disposed, so nothing is left behind in the process (tests, or a command that carries on).
 */
export class Supervisor {
  private child: ChildProcessHandle | undefined
  private starting = false
  private shutdownRequested = false
  private isFinished = false
  private readonly pendingSignals: NodeJS.Signals[] = []
  private readonly liveChildren = new Set<number>()
  private forwarding: SignalForwarding | undefined
  private crashHandler: ((error: unknown) => void) | undefined
  private orphanWatch: OrphanWatch | undefined
  private readonly done: Promise<number>
  private settle!: (outcome: Outcome) => void

  constructor(private readonly options: SupervisorOptions = {}) {
    this.done = new Promise<number>((resolve, reject) => {
      this.settle = (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(outcome.exitCode))
    })
    // start() already reports a start failure to its caller; don't also crash on an unawaited wait().
    this.done.catch(() => {})
  }

  /** The running child, if any. */
  get current(): ChildProcessHandle | undefined {
    return this.child && !this.child.exitStatus ? this.child : undefined
  }

  /** True once a terminating signal asked bella to stop: callers must not start another child. */
  get shuttingDown(): boolean {
    return this.shutdownRequested || this.isFinished
  }

  get finished(): boolean {
    return this.isFinished
  }

  /** bella's exit code: resolves when the supervisor is done (see class doc). */
  wait(): Promise<number> {
    return this.done
  }

  /**
   * Start a child and make it current. Throws if one is still running or the supervisor is
   * shutting down; rejects with a BellaError (126/127) if the command cannot be started.
   */
  async start(spec: ChildSpec): Promise<ChildProcessHandle> {
    if (this.shuttingDown) throw new Error('Supervisor is shutting down; not starting another child.')
    if (this.current || this.starting) throw new Error('Supervisor already has a child; stop it first.')
    this.install()
    this.starting = true
    let handle: ChildProcessHandle
    try {
      handle = await ChildProcessHandle.start(spec)
    } catch (error) {
      this.finish({error})
      throw error
    } finally {
      this.starting = false
    }

    this.child = handle
    this.liveChildren.add(handle.pid)
    void handle.exited.then((exit) => this.onChildExit(handle, exit))
    // Signals that arrived while the process was being created are delivered now, exactly once.
    // Straight to the child: the terminal cannot have reached a process that did not exist yet.
    for (const signal of this.pendingSignals.splice(0)) handle.signal(signal)
    return handle
  }

  /** Send a signal to the current child (e.g. SIGHUP for `--signal sighup`). False if none runs. */
  signal(signal: NodeJS.Signals): boolean {
    return this.current?.signal(signal) ?? false
  }

  /**
   * Stop the current child (signal, grace period, SIGKILL) and wait for it to exit. The supervisor
   * stays alive for a following start() unless `final` is set, in which case `wait()` resolves
   * with this child's exit code.
   */
  async stop(options: StopOptions & {final?: boolean} = {}): Promise<ChildExit | undefined> {
    const child = this.current
    if (options.final) this.shutdownRequested = true
    if (!child) {
      if (options.final) this.finish({exitCode: this.child?.exitStatus?.exitCode ?? 0})
      return undefined
    }

    return child.stop(options)
  }

  /**
   * Stop the current child and start a new one with `spec` (the --watch restart). Resolves with
   * the new child, or `undefined` when bella was told to shut down meanwhile (then the supervisor
   * has finished with the old child's status and no new child is started).
   */
  async restart(spec: ChildSpec, options: StopOptions = {}): Promise<ChildProcessHandle | undefined> {
    await this.stop(options)
    if (this.shuttingDown) return undefined
    return this.start(spec)
  }

  /** Remove signal handlers without waiting (the child, if any, is left running). Idempotent. */
  dispose(): void {
    this.forwarding?.uninstall()
    this.forwarding = undefined
    if (this.crashHandler) process.off('uncaughtException', this.crashHandler)
    this.crashHandler = undefined
    this.orphanWatch?.stop()
    this.orphanWatch = undefined
  }

  private install(): void {
    if (this.options.forwardSignals !== false && !this.forwarding) {
      this.forwarding = installSignalForwarding({
        target: () => this.current,
        signals: this.options.signals,
        terminalDelivered: this.options.terminalDelivered,
        secondInterruptWindowMs: this.options.secondInterruptWindowMs,
        onSignal: (event) => this.onSignal(event),
      })
    }

    if (!this.crashHandler) {
      this.crashHandler = (error) => this.onCrash(error)
      process.on('uncaughtException', this.crashHandler)
    }

    if ((this.options.pid1 ?? process.pid === 1) && !this.orphanWatch) {
      this.orphanWatch = watchForOrphanZombies({ownChildren: () => this.liveChildren, warn: (message) => this.warn(message)})
    }
  }

  /**
   * bella's own bug (an exception or rejection nobody handled) while a child runs: without this,
   * bella would die at once and leave the child running unsupervised, its signals unforwarded and
   * its exit status lost. Stop it first (SIGTERM, grace period, SIGKILL), then exit 1. A second
   * crash while stopping changes nothing. Only the message is printed, as for any bella error.
   */
  private onCrash(error: unknown): void {
    if (this.crashing) return
    this.crashing = true
    this.shutdownRequested = true
    const child = this.current
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`Error: bella internal error: ${message}${child ? `; stopping the command (pid ${child.pid}) before exiting` : ''}\n`)
    const exit = () => process.exit(1)
    if (!child) return exit()
    child.stop({killTimeoutMs: this.options.killTimeoutMs}).then(exit, exit)
  }

  private crashing = false

  private warn(message: string): void {
    if (this.options.warn) this.options.warn(message)
    else process.stderr.write(`Warning: ${message}\n`)
  }

  private onSignal(event: SignalEvent): void {
    const {signal, action, child} = event
    if (action === 'no-child') {
      if (this.starting) {
        this.pendingSignals.push(signal)
        if (signal === 'SIGINT' || signal === 'SIGTERM') this.shutdownRequested = true
      } else if (TERMINATING.has(signal)) {
        // Between a stop() and the next start(): nobody to pass it on to, so it is ours. Exit as a
        // process killed by it would (128+N), like a shell does.
        this.shutdownRequested = true
        this.finish({exitCode: 128 + (signalNumber(signal) ?? 0)})
      }
    } else if (action === 'killed') {
      this.shutdownRequested = true
      // The user asked for this, but a SIGKILL skips the child's cleanup: say it happened.
      const what = signal === 'SIGINT' && child?.interruptedAt !== undefined ? 'Ctrl-C' : signal
      this.warn(`${what} again while ${child?.command ?? 'the command'} was stopping: killed it (SIGKILL).`)
    } else if (signal === 'SIGINT' || signal === 'SIGTERM') {
      // Forwarded: bella is being stopped, so a restart in progress must not start a
      // new child. A terminal Ctrl-C counts only while the child is being stopped anyway; otherwise
      // it is the child's business (a REPL may ignore it), and the child's exit will end us.
      if (action !== 'terminal-delivered' || child?.stopRequested) this.shutdownRequested = true
    }

    this.options.onSignal?.(event)
  }

  private onChildExit(handle: ChildProcessHandle, exit: ChildExit): void {
    this.liveChildren.delete(handle.pid)
    if (handle !== this.child) return
    // A requested stop (restart) does not end the supervisor unless a shutdown came in meanwhile.
    if (handle.stopRequested && !this.shutdownRequested) return
    if (!handle.stopRequested && !this.shutdownRequested && this.options.keepGoingAfterExit?.(exit, handle)) return
    this.finish({exitCode: exit.exitCode})
  }

  private finish(outcome: Outcome): void {
    // After a crash, onCrash owns the exit (1): the stopped child's status must not end bella as if all went well.
    if (this.isFinished || this.crashing) return
    this.isFinished = true
    this.dispose()
    this.settle(outcome)
  }
}

/**
 * Run one command to completion under a Supervisor: the common `bella run` / `bella exec` path.
 * Resolves with the exit code bella should exit with; rejects with a BellaError when the command
 * cannot be started (exit 127 / 126, see `exitCodeOf`).
 */
export async function runChild(spec: ChildSpec, options: SupervisorOptions = {}): Promise<number> {
  const supervisor = new Supervisor(options)
  try {
    await supervisor.start(spec)
    return await supervisor.wait()
  } finally {
    supervisor.dispose()
  }
}
