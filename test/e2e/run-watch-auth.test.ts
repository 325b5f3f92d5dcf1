/**
 * `bella run --watch` when the server stops accepting bella's key (revoked while it watches): the
 * command keeps running, bella says why once, and polls slowly instead of hammering the API with
 * a key it just refused (test/helpers/watch-harness.ts drives the real bin/run.js).
 *
 * Polling rates are checked as counts of requests in the emulator's log over a window, never as
 * measured durations.
 */
import {describe, expect, it} from '@jest/globals'
import {alive, isVersionPoll, POLL_MS, scenario} from '../helpers/watch-harness.js'

const refusedLine = /refused bella's API key/

describe('bella run --watch: the key is revoked while watching', () => {
  it(
    'says so once (the key was refused, what to do), keeps the command running, slows its polls, and says when the key is accepted again',
    () =>
      scenario([], [], async (w) => {
        const [first] = w.starts()
        // Healthy: a poll per interval.
        await w.request(isVersionPoll)
        await w.request(isVersionPoll)

        const key = w.emulator.apiKeys[0]!
        w.emulator.revokeApiKey(key.id)
        const refused = await w.request((r) => isVersionPoll(r) && r.status === 401)
        expect(refused.status).toBe(401)
        await w.line(refusedLine)
        const polls = () => w.emulator.requests().filter(isVersionPoll).length
        const atRefusal = polls()

        // Three intervals: a watcher polling at its normal rate would ask 3 times; slowed to 5× the
        // interval (jitter only shortens it, to 80 %: 4 intervals), it asks not at all.
        await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS))
        expect(polls() - atRefusal).toBe(0)
        expect(alive(first!.pid)).toBe(true)
        expect(w.proc.exitCode).toBeNull()

        // The key is accepted again (the emulator's state, un-revoked): the next slow poll says so.
        w.emulator.state.apiKey(key.id)!.revoked = false
        await w.line(/the Bella API answers again/, 4 * POLL_MS)
        expect(w.count(refusedLine)).toBe(1)
        const line = w.stderr.split('\n').find((l) => refusedLine.test(l))!
        expect(line).toMatch(/401/)
        expect(line).toMatch(/revoked or expired/)
        expect(line).toMatch(/the command keeps running/)
        expect(line).toMatch(/bella api-keys create|bella login/)
        // Never the key's secret part.
        expect(w.stderr).not.toContain(w.emulator.apiKey.split('-')[2]!)
        // Same child all along: no restart, no signal.
        expect(w.starts()).toHaveLength(1)
        expect(w.events().filter((e) => e.e === 'signal')).toEqual([])
        expect(alive(first!.pid)).toBe(true)
      }),
    90_000,
  )
})
