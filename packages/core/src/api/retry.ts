/**
 * Which failures are retried and how long to wait: idempotent requests only (never a POST that
 * creates a key, token or credential), on network errors, 408, 429 and 5xx, with capped exponential
 * backoff and "equal" jitter (half fixed, half random: clients spread out, yet never retry at once),
 * and `Retry-After` (seconds or HTTP-date) honoured when present.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the failure is reported instead. */
  maxRetryAfterMs: number
}

export const defaultRetryPolicy: RetryPolicy = {retries: 3, baseDelayMs: 250, maxDelayMs: 4000, maxRetryAfterMs: 30_000}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase())
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/** Milliseconds to wait as told by a Retry-After value, or undefined when absent/unparseable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now.getTime())
}

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
