/**
 * A watch's health between polls: the next poll's delay (the interval with jitter, or an
 * exponential backoff while it fails) and the events that report a failing streak once, its
 * changes, and its end.
 */
import type {AgentLog} from './log.js'
import {errorFields} from './messages.js'

export interface WatchFailure {
  count: number
  since: number
  message: string
}

/** Seconds until the next poll: ±10 % jitter, or while failing 2^n × interval (±20 %) up to `maxBackoffSeconds`. */
export function nextPollSeconds(interval: number, failure: WatchFailure | undefined, maxBackoffSeconds: number, random: () => number): number {
  if (!failure) return interval * (0.9 + 0.2 * random())
  const ceiling = Math.max(interval, maxBackoffSeconds)
  return Math.min(interval * 2 ** Math.min(failure.count - 1, 20), ceiling) * (0.8 + 0.4 * random())
}

/**
 * The failing streak after one more failure. The first is a warning; later ones are warnings only
 * when the message changed, else debug events, so a long outage is not a wall of lines.
 */
export function recordFailure(log: AgentLog, label: string, failure: WatchFailure | undefined, message: string, error: unknown): WatchFailure {
  if (!failure) {
    log.emit({
      event: 'fetch-failed',
      level: 'warn',
      message: `${label}: ${message}; retrying with backoff, no file is rewritten until every watch answers`,
      watch: label,
      ...errorFields(error),
    })
    return {count: 1, since: Date.now(), message}
  }
  const next = {...failure, count: failure.count + 1, message}
  log.emit({
    event: 'fetch-failed',
    level: message !== failure.message ? 'warn' : 'debug',
    message: `${label}: still failing (attempt ${next.count}): ${message}`,
    watch: label,
    attempt: next.count,
    ...errorFields(error),
  })
  return next
}

export function emitRecovered(log: AgentLog, label: string, failure: WatchFailure): void {
  const seconds = Math.round((Date.now() - failure.since) / 1000)
  log.emit({
    event: 'recovered',
    level: 'info',
    message: `${label} answers again (after ${failure.count} failed attempt${failure.count === 1 ? '' : 's'} over ${seconds}s)`,
    watch: label,
    failures: failure.count,
  })
}
