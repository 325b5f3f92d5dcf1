import {cacheDirFrom} from '../config/paths.js'
import type {Env} from '../config/types.js'
import {usageError} from '../errors.js'

/** How old a snapshot may be and still be used when the API cannot be reached (`--max-stale`). */
export const DEFAULT_MAX_STALE = '24h'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}
// Beyond this a "fallback" is a second copy of the secrets that never expires; 365 days is plenty.
const MAX_MS = 365 * 86_400_000

/**
 * `30m`, `24h`, `7d`, `90s` or plain seconds (`3600`) → milliseconds; `0` turns the fallback off.
 * Anything else is a usage error naming `where` (the flag or config key).
 */
export function parseMaxStale(raw: string, where = '--max-stale'): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(raw)
  const amount = match ? Number(match[1]) : Number.NaN
  const ms = match ? amount * UNIT_MS[(match[2] || 's').toLowerCase()]! : Number.NaN
  if (!Number.isSafeInteger(amount) || !(ms <= MAX_MS)) {
    throw usageError(`${where} must be a duration such as 30m, 24h or 7d (or seconds, or 0 for no fallback), not "${raw.slice(0, 40)}"`, {
      code: 'invalid_max_stale',
      suggestions: [`e.g. ${where}${where.startsWith('-') ? ' ' : '='}24h (the default); the longest accepted is 365d`],
    })
  }
  return ms
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`: a snapshot's age for messages. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** FallbackOptions from the two flags (else BELLA_MAX_STALE), with the cache folder from `env` (XDG) and the home folder. */
export function fallbackOptionsFrom(
  flags: {'max-stale'?: string; 'fallback-only'?: boolean},
  env: Env,
  homedir: string,
): {maxStaleMs: number; only: boolean; cacheDir: string} {
  // The variable serves where flags are awkward (a container's ENTRYPOINT, a CI job); a flag wins.
  const fromEnv = env.BELLA_MAX_STALE?.trim() ? env.BELLA_MAX_STALE : undefined
  const maxStaleMs =
    flags['max-stale'] !== undefined
      ? parseMaxStale(flags['max-stale'])
      : fromEnv !== undefined
        ? parseMaxStale(fromEnv, 'BELLA_MAX_STALE')
        : parseMaxStale(DEFAULT_MAX_STALE)
  const only = flags['fallback-only'] === true
  if (only && maxStaleMs === 0) {
    throw usageError('--fallback-only and --max-stale 0 contradict each other: one uses only the snapshot, the other turns snapshots off', {
      code: 'fallback_conflict',
      suggestions: ['drop one of them'],
    })
  }
  return {maxStaleMs, only, cacheDir: cacheDirFrom(env, homedir)}
}
