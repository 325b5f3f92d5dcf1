/**
 * A signed request is accepted only within a few minutes of the server's time (contract §1.2:
 * X-Bella-Timestamp; the server answers 401 otherwise, and neither status nor body says why for
 * sure). The server's Date header tells its time: when a 401 comes with one far from this
 * machine's clock, the clock is the cause, and the user is told so instead of "check the key".
 */
import {BellaError} from '../errors.js'

/**
 * Smaller differences are not blamed: servers accept a few minutes of skew (the contract suggests
 * ±5), so a 401 with a clock 2 minutes off has another cause (an expired or revoked key), and the
 * Date header has whole seconds only.
 */
export const REPORTED_SKEW_MS = 4 * 60_000

/** Server time minus this machine's time (ms), when the difference is worth reporting; else undefined. */
export function clockSkewMs(dateHeader: string | undefined, now: Date): number | undefined {
  if (!dateHeader) return undefined
  const server = Date.parse(dateHeader)
  if (Number.isNaN(server)) return undefined
  const skew = server - now.getTime()
  return Math.abs(skew) >= REPORTED_SKEW_MS ? skew : undefined
}

/** The 401 explained as clock skew: what, by how much, and how to fix it. Exit 3 like any refusal. */
export function clockSkewError(skewMs: number, what: string, status: string, serverDate: string): BellaError {
  const seconds = Math.round(Math.abs(skewMs) / 1000)
  const minutes = seconds >= 120 ? `, about ${Math.round(seconds / 60)} min` : ''
  const side = skewMs > 0 ? 'behind' : 'ahead of'
  return new BellaError(
    'auth',
    `The Bella API refused ${what} (${status}): this machine's clock is ${seconds} s ${side} the server's${minutes} (server time ${serverDate}), ` +
      'and signed requests are accepted only within a few minutes of the server\'s time',
    {
      code: 'api_clock_skew',
      suggestions: [
        "fix this machine's clock: turn on time synchronisation (NTP), e.g. `sudo timedatectl set-ntp true`, or start chronyd/ntpd; in a container or VM, fix the host's clock",
        'then run the command again',
      ],
    },
  )
}
