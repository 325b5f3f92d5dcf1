/**
 * The background refresh schedule. One timer at a time, unref'd (it never keeps an app alive), and
 * no new one while a refresh runs. Jitter only shortens a wait, so a change is seen within one
 * interval; after a failure the wait doubles (capped), and is never shorter than the server's
 * Retry-After. Nothing it runs can throw into the app: failures go to `onError`.
 */

/** Each wait is the interval minus up to this fraction, so many instances do not poll in step. */
export const JITTER = 0.1
/** The longest wait after repeated failures, unless the interval itself is longer. */
export const MAX_BACKOFF_MS = 5 * 60_000
/** No wait is longer than this (a Retry-After of a year must not overflow Node's timers). */
export const MAX_WAIT_MS = 24 * 60 * 60_000

export interface RefreshLoopOptions {
  intervalMs: number
  /** One refresh; a rejection counts as a failure. */
  refresh(): Promise<void>
  onError(error: unknown): void
  /** Consulted after a failure: how long the server asked to wait, if it did. */
  retryAfterMs(): number | undefined
  random?: () => number
}

export interface RefreshLoop {
  stop(): void
}

/** The wait before the next refresh, after `failures` failed ones in a row. */
export function nextDelay(intervalMs: number, failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const base = failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** failures, Math.max(intervalMs, MAX_BACKOFF_MS))
  return Math.min(MAX_WAIT_MS, Math.max(Math.round(base * (1 - JITTER * random())), retryAfterMs ?? 0))
}

export function startRefreshLoop(options: RefreshLoopOptions): RefreshLoop {
  const random = options.random ?? Math.random
  let stopped = false
  let failures = 0
  let timer: NodeJS.Timeout | undefined

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => void run(), delayMs)
    timer.unref()
  }
  const run = async () => {
    timer = undefined
    let retryAfterMs: number | undefined
    try {
      await options.refresh()
      failures = 0
    } catch (error) {
      if (stopped) return
      failures += 1
      retryAfterMs = options.retryAfterMs()
      try {
        options.onError(error)
      } catch {
        // The app's own handler failing must not end the refreshes.
      }
    }
    if (!stopped) schedule(nextDelay(options.intervalMs, failures, retryAfterMs, random))
  }
  schedule(nextDelay(options.intervalMs, 0, undefined, random))
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
    },
  }
}
