/**
 * The numbers behind `bella run --watch` and the pure decisions built on them. Nothing here reads
 * a clock or a random source itself (they are passed in), so every rule is unit-tested without
 * timers.
 */
import {isBellaError, quoteName, usageError, type BellaError} from '@bella/core/runtime'

export const WATCH = {
  /** Default --poll-interval (s): the official CLI's default; one < 1 KB request per 30 s is negligible. */
  pollIntervalS: 30,
  /**
   * Floor of --poll-interval (s), as in the official CLI: a fleet of watchers polling more often is
   * load on the server for no practical gain.
   */
  minPollIntervalS: 5,
  /** Ceiling of --poll-interval (s): one day; also keeps every timer far below setTimeout's 24.8-day limit. */
  maxPollIntervalS: 86_400,
  /** Default --kill-timeout (s): the usual grace period of docker stop and Kubernetes. */
  killTimeoutS: 10,
  maxKillTimeoutS: 3_600,
  /**
   * Jitter only ever shortens a wait, to 80–100 % of it: watchers started together (a deploy) drift
   * apart, and a change is still seen within one interval (SPEC: change → new child ≤ interval + 1 s).
   */
  jitterMin: 0.8,
  /**
   * Coalescing: once a poll sees a new version, wait this long and look at the version again, and
   * once more if it moved meanwhile (at most `settleChecks` looks, so ≤ 1 s): a burst of edits
   * (a script setting several keys) then causes one restart with the final values instead of one
   * per edit. 500 ms leaves room in the "interval + 1 s" budget for the fetch and the restart.
   */
  settleMs: 500,
  settleChecks: 2,
  /**
   * Rate limit: at most one restart (or signal) per 10 s. A change that arrives sooner waits until
   * the window opens and is then applied with the newest secrets known (peers' restart storms:
   * hashicorp/vault#20940, #26283).
   */
  minActionIntervalMs: 10_000,
  /**
   * Crash loops: a child started by a watch restart that exits non-zero within 10 s was most likely
   * broken by the new secrets. It is started again after 1 s, 2 s, 4 s (doubling, at most 30 s),
   * 3 times; then bella gives up and exits with its status, so a process manager sees the failure.
   */
  crashWindowMs: 10_000,
  crashBackoffBaseMs: 1_000,
  crashBackoffMaxMs: 30_000,
  crashRetries: 3,
  /**
   * API failures: the next check waits interval × 2^(failures − 1), at most 5 min (or the interval
   * when that is longer): a server in trouble is not hammered, a blip costs one interval.
   */
  failureBackoffMaxMs: 5 * 60_000,
  /**
   * Credentials refused (401/403, a key revoked while watching): asking sooner cannot help, and a
   * fleet of watchers with a revoked key must not hammer the API. Checks go on, at 5× the interval
   * (at most the failure cap above, or the interval when that is longer), so bella notices when
   * the key is accepted again.
   */
  authFailureFactor: 5,
  /**
   * Requests made while watching retry once (after 0.5–1 s) and time out after 10 s: the loop's own
   * backoff is what spaces out failures, so a failing poll is 2 requests, not a retry storm.
   */
  requestRetries: 1,
  requestRetryBaseMs: 1_000,
  requestTimeoutMs: 10_000,
} as const

export interface WatchSettings {
  pollIntervalMs: number
  killTimeoutMs: number
}

/** Validates --poll-interval / --kill-timeout (seconds, as given) into milliseconds. */
export function watchSettings(input: {pollIntervalS?: number; killTimeoutS?: number}): WatchSettings {
  const poll = input.pollIntervalS ?? WATCH.pollIntervalS
  if (!Number.isInteger(poll) || poll < WATCH.minPollIntervalS || poll > WATCH.maxPollIntervalS) {
    throw usageError(
      `--poll-interval must be a whole number of seconds from ${WATCH.minPollIntervalS} to ${WATCH.maxPollIntervalS}, not ${poll}`,
      {
        code: 'invalid_poll_interval',
        suggestions: [`use --poll-interval ${WATCH.minPollIntervalS} or more (default ${WATCH.pollIntervalS}); each check is one small request`],
      },
    )
  }

  const kill = input.killTimeoutS ?? WATCH.killTimeoutS
  if (!Number.isInteger(kill) || kill < 0 || kill > WATCH.maxKillTimeoutS) {
    throw usageError(`--kill-timeout must be a whole number of seconds from 0 to ${WATCH.maxKillTimeoutS}, not ${kill}`, {
      code: 'invalid_kill_timeout',
      suggestions: [`the default is ${WATCH.killTimeoutS}: how long a restart waits after SIGTERM before SIGKILL`],
    })
  }

  return {pollIntervalMs: poll * 1000, killTimeoutMs: kill * 1000}
}

/** 80–100 % of `ms` (never more): see WATCH.jitterMin. */
export function jittered(ms: number, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(ms * (WATCH.jitterMin + (1 - WATCH.jitterMin) * r))
}

/** Wait before the next check after `failures` consecutive failed ones (≥ 1), jitter included. */
export function failureDelay(failures: number, pollIntervalMs: number, random: () => number): number {
  const cap = Math.max(pollIntervalMs, WATCH.failureBackoffMaxMs)
  const exponent = Math.min(Math.max(failures, 1) - 1, 30)
  return jittered(Math.min(cap, pollIntervalMs * 2 ** exponent), random)
}

/** Wait before the next check while the API refuses bella's credentials (WATCH.authFailureFactor). */
export function authFailureDelay(pollIntervalMs: number, random: () => number): number {
  const cap = Math.max(pollIntervalMs, WATCH.failureBackoffMaxMs)
  return jittered(Math.min(cap, pollIntervalMs * WATCH.authFailureFactor), random)
}

/** True when the API refused bella's credentials (401/403), as opposed to failing or being unreachable. */
export function isAuthFailure(error: unknown): boolean {
  return isBellaError(error) && error.kind === 'auth'
}

/** Wait before crash restart number `attempt` (1-based): 1 s, 2 s, 4 s, … at most 30 s. */
export function crashBackoff(attempt: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30)
  return Math.min(WATCH.crashBackoffMaxMs, WATCH.crashBackoffBaseMs * 2 ** exponent)
}

export type Env = Readonly<Record<string, string>>

/** Names whose value was added, changed or removed, sorted. Values are never returned. */
export function changedNames(before: Env, after: Env): string[] {
  const names = new Set<string>()
  for (const [name, value] of Object.entries(after)) if (before[name] !== value) names.add(name)
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) names.add(name)
  return [...names].sort()
}

export function sameEnv(a: Env, b: Env): boolean {
  if (a === b) return true
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
}

/**
 * "2 keys: A, B" for a message. Names only; a name that is not a plain identifier is JSON-quoted so
 * a hostile one (newlines, escape sequences) cannot forge terminal output. At most `max` listed.
 */
export function describeNames(names: readonly string[], max = 6): string {
  if (names.length === 0) return 'no keys'
  const shown = names.slice(0, max).map((n) => quoteName(n, 200))
  const more = names.length > max ? `, +${names.length - max} more` : ''
  return `${names.length} ${names.length === 1 ? 'key' : 'keys'}: ${shown.join(', ')}${more}`
}

/** "750 ms", "4 s", "1.5 s", "2 min", "1 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} s`
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  const minutes = Math.round(ms / 60_000)
  if (minutes < 120) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** First line of an error's message, without a trailing period. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return (message.split('\n')[0] ?? '').replace(/\.\s*$/, '') || 'unknown error'
}

/** What distinguishes one kind of failure from another, for "report once per kind". */
export function failureKind(error: unknown): string {
  if (isBellaError(error)) return error.code
  return (error as {code?: unknown} | null)?.code?.toString() ?? 'error'
}

/**
 * Reports a failing API once, not once per failed check: a line when checks start failing (and
 * when the kind of failure changes, e.g. from unreachable to 401), a line when they recover.
 */
export class CheckHealth {
  /** What bella authenticates with, for the wording when it is refused. */
  constructor(private readonly credential: 'api-key' | 'bearer' = 'api-key') {}

  private count = 0
  private since = 0
  private reportedKind: string | undefined

  get failures(): number {
    return this.count
  }

  /** Records a failed check; returns the line to print, or undefined when this was already said. */
  failed(error: unknown, nextInMs: number, now: number): string | undefined {
    this.count += 1
    if (this.count === 1) this.since = now
    const kind = failureKind(error)
    if (kind === this.reportedKind) return undefined
    const first = this.reportedKind === undefined
    this.reportedKind = kind
    const next = `next check in ${formatDuration(nextInMs)}, backing off while this lasts`
    const keep = 'the command keeps running on the secrets it has'
    if (isAuthFailure(error) && (error as BellaError).code === 'api_clock_skew') {
      const fix = (error as BellaError).suggestions[0] ?? "fix this machine's clock (NTP)"
      return `bella: ${first ? 'cannot check for secret changes' : 'checks still failing, now'}: ${reasonOf(error)}; ${keep}; to fix it, ${fix}; bella checks again every ${formatDuration(nextInMs)} or so and says when the API accepts its requests again`
    }
    if (isAuthFailure(error)) {
      const credential = this.credential === 'bearer' ? 'access token' : 'API key'
      const cause =
        (error as BellaError).code === 'api_forbidden'
          ? `the Bella API no longer allows bella's ${credential} to read these secrets`
          : `the Bella API refused bella's ${credential}: it was most likely revoked or expired`
      const todo =
        this.credential === 'bearer'
          ? 'get a new token and restart bella with it'
          : 'create a new key (`bella api-keys create`, or `bella api-keys rotate`) and restart bella with it (BELLA_BAXTER_API_KEY, or `bella login --api-key <key>`)'
      return (
        `bella: ${first ? '' : 'checks still failing, now: '}${cause} (${reasonOf(error)}); ${keep}, but gets no secret changes; ` +
        `to fix it, ${todo}; meanwhile bella checks again only every ${formatDuration(nextInMs)} or so, and says when the ${credential} is accepted again`
      )
    }
    return `bella: ${first ? 'cannot check for secret changes' : 'checks still failing, now'}: ${reasonOf(error)}; ${keep}; ${next}`
  }

  /** Records a successful check; returns the recovery line after failures, else undefined. */
  succeeded(now: number): string | undefined {
    if (this.count === 0) return undefined
    const line = `bella: the Bella API answers again after ${this.count} failed ${this.count === 1 ? 'check' : 'checks'} over ${formatDuration(now - this.since)}; watching for changes`
    this.count = 0
    this.reportedKind = undefined
    return line
  }
}
