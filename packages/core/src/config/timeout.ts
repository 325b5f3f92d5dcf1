import {usageError} from '../errors.js'
import type {Env, Resolved} from './types.js'

/** How long a command waits for the API, retries included, unless --timeout / BELLA_TIMEOUT say otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 30
/** A day: beyond this a "timeout" is a typo (and Node timers overflow at ~24.8 days). */
const MAX_TIMEOUT_SECONDS = 86_400

/**
 * `--timeout S` → `BELLA_TIMEOUT` → 30 s, in seconds (decimals allowed). Anything but a positive
 * number of seconds is a usage error naming where the value came from.
 */
export function resolveTimeout(flag: string | undefined, env: Env): Resolved<number> {
  if (flag !== undefined) return {value: parseSeconds(flag, '--timeout'), source: 'flag', origin: '--timeout'}
  const fromEnv = env.BELLA_TIMEOUT
  if (fromEnv?.trim()) return {value: parseSeconds(fromEnv, 'BELLA_TIMEOUT'), source: 'env', origin: 'BELLA_TIMEOUT'}
  return {value: DEFAULT_TIMEOUT_SECONDS, source: 'default', origin: 'default'}
}

function parseSeconds(raw: string, origin: string): number {
  const text = raw.trim()
  const seconds = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : Number.NaN
  if (!(seconds > 0) || seconds > MAX_TIMEOUT_SECONDS) {
    const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text
    throw usageError(`${origin} must be a positive number of seconds (at most ${MAX_TIMEOUT_SECONDS}), not "${shown.replace(/[^\x20-\x7e]/g, '?')}"`, {
      code: 'invalid_timeout',
      suggestions: [origin === '--timeout' ? '--timeout 60 waits up to a minute for the API' : `set ${origin}=60 to wait up to a minute for the API, or unset it for the 30 s default`],
    })
  }
  return seconds
}
