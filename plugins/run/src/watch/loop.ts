/**
 * The --watch loop: when to poll, when to fetch, when to tell the child, when to start it again
 * after a crash. It owns no process and no HTTP client: those come in through `WatchLoopDeps`, and
 * time through `Timers`, so the whole schedule is unit-tested with a fake clock.
 *
 * One timer at a time: the loop is either waiting on a single timeout for its next event (poll,
 * rate-limit window, crash restart) or busy with one step; idle costs nothing.
 */
import {
  changedNames,
  CheckHealth,
  crashBackoff,
  describeNames,
  authFailureDelay,
  failureDelay,
  formatDuration,
  isAuthFailure,
  jittered,
  reasonOf,
  sameEnv,
  WATCH,
  type Env,
} from './policy.js'

export interface Timers {
  /** Monotonic milliseconds. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/**
 * What the version endpoint says. Any difference from the last one seen means "fetch and compare
 * the secrets": not only a higher version, but one that went back or repeated (a server reset or
 * restore, whose edits can land on a version number bella already had; lastModified tells those
 * apart). Whether anything changed is then decided by the secrets themselves, never the number.
 */
export interface VersionMarker {
  version: number
  lastModified?: string
}

const sameMarker = (a: VersionMarker, b: VersionMarker) => a.version === b.version && (a.lastModified ?? '') === (b.lastModified ?? '')

/** A fetched secrets set, as the child would see it. */
export interface SecretSet {
  /** The environment version the set was fetched at. */
  version: number
  lastModified?: string
  /** The complete child environment built from it (see buildChildEnv). */
  env: Env
}

export interface ChildExitInfo {
  /** What bella would exit with (128+N for signal N). */
  exitCode: number
  /** How long the child ran. */
  uptimeMs: number
  /** True when the loop started it (a watch restart or a crash restart), not the initial start. */
  startedByWatch: boolean
  /** True when a signal bella received was passed on to it: its exit was asked for. */
  signalled: boolean
}

export interface WatchLoopDeps {
  pollIntervalMs: number
  timers?: Timers
  random?: () => number
  /** The environment's current version and lastModified (the cheap, unencrypted endpoint). Throws on failure. */
  checkVersion(): Promise<VersionMarker>
  /** The full set (E2EE). Throws on failure. */
  fetch(): Promise<SecretSet>
  /** Restart or signal the running child so it gets `set` (the signal strategy). */
  deliver(set: SecretSet, changed: string[]): Promise<void>
  /** Start the command again after a crash, with `set`. */
  startAgain(set: SecretSet, attempt: number): Promise<void>
  /** A child is running (false between a crash and its restart). */
  childRunning(): boolean
  /** bella is shutting down or done: act on nothing any more. */
  shuttingDown(): boolean
  /** What bella authenticates with (the wording when it is refused); default an API key. */
  credential?: 'api-key' | 'bearer'
  /** A line for stderr. */
  say(message: string): void
  /** A line for stderr with --verbose. */
  debug(message: string): void
}

class Stopped extends Error {}

export class WatchLoop {
  private readonly timers: Timers
  private readonly random: () => number
  private readonly health: CheckHealth
  /** The newest set fetched successfully. */
  private known: SecretSet
  /** The version endpoint's answer that led to `known` (or the initial fetch's): polls compare against it. */
  private seen: VersionMarker
  /** The environment the running child has, or was told about (sighup). */
  private delivered: Env
  private nextPollAt = Number.POSITIVE_INFINITY
  private lastActionAt = Number.NEGATIVE_INFINITY
  private crashRestartAt: number | undefined
  private crashAttempts = 0
  private timer: unknown
  private busy = false
  private stopped = false
  private cancelSleep: (() => void) | undefined

  constructor(
    private readonly deps: WatchLoopDeps,
    initial: SecretSet,
  ) {
    this.timers = deps.timers ?? systemTimers
    this.random = deps.random ?? Math.random
    this.health = new CheckHealth(deps.credential)
    this.known = initial
    this.seen = {version: initial.version, lastModified: initial.lastModified}
    this.delivered = initial.env
  }

  /** The set the running child has (or was signalled about). */
  get deliveredEnv(): Env {
    return this.delivered
  }

  get knownVersion(): number {
    return this.known.version
  }

  /** Schedules the first check, one (jittered) interval after the child started. */
  start(): void {
    this.nextPollAt = this.timers.now() + jittered(this.deps.pollIntervalMs, this.random)
    this.arm()
  }

  /** Cancels whatever is scheduled or waiting; nothing runs afterwards. Idempotent. */
  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    this.cancelSleep?.()
  }

  /**
   * The current child exited by itself. Returns true when the loop will start it again (a crash
   * right after a watch restart, with attempts left); false when bella should end with its status.
   */
  childExited(info: ChildExitInfo): boolean {
    if (this.stopped || this.deps.shuttingDown()) return false
    const crashed = info.startedByWatch && !info.signalled && info.exitCode !== 0 && info.uptimeMs < WATCH.crashWindowMs
    if (!crashed) return false
    const after = `${formatDuration(info.uptimeMs)} after it was restarted`
    if (this.crashAttempts >= WATCH.crashRetries) {
      this.deps.say(
        `bella: the command exited with status ${info.exitCode} ${after}, ${WATCH.crashRetries} restarts in a row; giving up (bella exits with its status)`,
      )
      return false
    }

    this.crashAttempts += 1
    const delay = crashBackoff(this.crashAttempts)
    this.crashRestartAt = this.timers.now() + delay
    this.deps.say(
      `bella: the command exited with status ${info.exitCode} ${after}; starting it again in ${formatDuration(delay)} (attempt ${this.crashAttempts} of ${WATCH.crashRetries})`,
    )
    this.arm()
    return true
  }

  private pending(): boolean {
    return !sameEnv(this.known.env, this.delivered)
  }

  private arm(): void {
    if (this.stopped || this.busy) return
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    // Shutting down: the supervisor is about to finish and stop() us; nothing is worth a timer.
    if (this.deps.shuttingDown()) return
    let wake = this.nextPollAt
    if (this.crashRestartAt !== undefined) wake = Math.min(wake, this.crashRestartAt)
    else if (this.pending() && this.deps.childRunning()) wake = Math.min(wake, this.lastActionAt + WATCH.minActionIntervalMs)
    const delay = Math.max(0, wake - this.timers.now())
    this.timer = this.timers.setTimeout(() => void this.tick(), delay)
  }

  private async tick(): Promise<void> {
    this.timer = undefined
    if (this.stopped) return
    this.busy = true
    try {
      await this.step()
    } catch (error) {
      // A failed delivery (a plugin's strategy threw) must not end the loop or the child.
      if (!(error instanceof Stopped) && !this.stopped && !this.deps.shuttingDown()) {
        this.deps.say(`bella: could not apply the new secrets: ${reasonOf(error)}; the command keeps running`)
      }
    } finally {
      this.busy = false
      this.arm()
    }
  }

  private async step(): Promise<void> {
    if (this.crashRestartAt !== undefined && this.timers.now() >= this.crashRestartAt) {
      this.crashRestartAt = undefined
      if (this.deps.shuttingDown()) return
      const set = this.known
      this.delivered = set.env
      this.lastActionAt = this.timers.now()
      await this.deps.startAgain(set, this.crashAttempts)
      return
    }

    if (this.timers.now() >= this.nextPollAt) await this.check()
    if (this.stopped || this.deps.shuttingDown()) return
    if (
      this.pending() &&
      this.crashRestartAt === undefined &&
      this.deps.childRunning() &&
      this.timers.now() >= this.lastActionAt + WATCH.minActionIntervalMs
    ) {
      const set = this.known
      const changed = changedNames(this.delivered, set.env)
      // Recorded before delivering: a restart that fails to start the new command ends bella, and
      // a signal strategy that throws must not be retried on every poll.
      this.delivered = set.env
      this.lastActionAt = this.timers.now()
      this.crashAttempts = 0
      await this.deps.deliver(set, changed)
    }
  }

  /** One poll: the version marker, and the full set whenever the marker is not the one last seen. */
  private async check(): Promise<void> {
    try {
      let marker = await this.deps.checkVersion()
      if (!sameMarker(marker, this.seen)) {
        if (marker.version < this.seen.version) {
          this.deps.say(
            `bella: the secrets' version went back from ${this.seen.version} to ${marker.version} (a server reset or restore?); comparing the secrets themselves`,
          )
        }
        for (let i = 0; i < WATCH.settleChecks; i++) {
          await this.sleep(WATCH.settleMs)
          const again = await this.deps.checkVersion()
          if (sameMarker(again, marker)) break
          marker = again
        }

        const set = await this.deps.fetch()
        // The marker is recorded only now, after a successful fetch (contract §5.2 #8): a failed
        // fetch leaves it unchanged, so the next poll sees the change again and nothing is lost.
        this.known = {env: set.env, version: set.version || marker.version, lastModified: set.lastModified}
        this.seen = marker
        if (sameEnv(set.env, this.delivered)) {
          this.deps.debug(`version ${this.known.version}: nothing the command sees changed`)
        } else if (!this.deps.childRunning() || this.timers.now() < this.lastActionAt + WATCH.minActionIntervalMs) {
          this.deps.debug(`version ${this.known.version} (${describeNames(changedNames(this.delivered, set.env))}) will be applied shortly`)
        }
      }

      const recovered = this.health.succeeded(this.timers.now())
      if (recovered) this.deps.say(recovered)
      this.nextPollAt = this.timers.now() + jittered(this.deps.pollIntervalMs, this.random)
    } catch (error) {
      if (error instanceof Stopped || this.stopped) throw new Stopped()
      // Refused credentials: slowly (5× the interval), since asking sooner cannot help; other
      // failures: doubling from one interval.
      const delay = isAuthFailure(error)
        ? authFailureDelay(this.deps.pollIntervalMs, this.random)
        : failureDelay(this.health.failures + 1, this.deps.pollIntervalMs, this.random)
      this.nextPollAt = this.timers.now() + delay
      const line = this.health.failed(error, delay, this.timers.now())
      if (line) this.deps.say(line)
      else this.deps.debug(`check failed again (${this.health.failures} in a row): ${reasonOf(error)}; next in ${formatDuration(delay)}`)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.timers.setTimeout(() => {
        this.cancelSleep = undefined
        resolve()
      }, ms)
      this.cancelSleep = () => {
        this.cancelSleep = undefined
        this.timers.clearTimeout(handle)
        reject(new Stopped())
      }
    })
  }
}
