/**
 * `bella run --watch` end to end (SPEC "bella run", "Performance budgets"; contract §2.1, §5.2
 * #1, #2, #8): the real bin/run.js against an in-process emulator, with test/fixtures/watch-child.js
 * recording every start (pid, time, the env names asked for) and signal as JSON lines.
 *
 * Every scenario waits for the watch loop's real 5 s polls, so they run concurrently, each with its
 * own emulator, and wait for events (fixture records, stderr lines, emulator requests) rather than
 * for fixed times (test/helpers/watch-harness.ts). Timing assertions use the fixture's own timestamps.
 */
import {describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {startEmulator} from '../../plugins/emulator/src/index.js'
import {bella, fixtures, isolatedHome} from '../helpers/cli.js'
import {alive, BUDGET_MS, demo, isFullFetch, isVersionPoll, POLL_MS, PROCESS_START_SLACK_MS, scenario, TEST_TIMEOUT_MS} from '../helpers/watch-harness.js'
import {testTempDir} from '../helpers/temp.js'

describe('bella run --watch', () => {
  it.concurrent(
    'restarts on a change (new pid, new value, old child SIGTERMed) within interval + 1 s; a version bump alone does nothing; one small request per idle poll',
    () =>
      scenario([], ['--env', 'LOG_LEVEL,ADDED'], async (w) => {
        const [first] = w.starts()
        expect(first!.env).toEqual({LOG_LEVEL: 'debug', ADDED: null})

        // The version moves, the values do not: one full fetch, no restart, no signal.
        const bumpFetch = w.request(isFullFetch)
        w.emulator.setSecrets(demo, {bump: true})
        await bumpFetch
        await w.request(isVersionPoll) // the following poll: still nothing to do
        expect(w.events()).toHaveLength(1)

        const changedAt = w.change({LOG_LEVEL: 'warn-7f3a', ADDED: 'yes'})
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== first!.pid)
        const term = w.events().find((e) => e.e === 'signal' && e.pid === first!.pid)
        expect(term?.sig).toBe('SIGTERM')
        expect(second.env).toEqual({LOG_LEVEL: 'warn-7f3a', ADDED: 'yes'})
        expect(alive(first!.pid)).toBe(false)
        // bella acted (SIGTERM) within the budget; the new process was running right after.
        expect(term!.t - changedAt).toBeLessThanOrEqual(BUDGET_MS)
        expect(second.t - changedAt).toBeLessThanOrEqual(BUDGET_MS + PROCESS_START_SLACK_MS)
        await w.line(/restarted the command \(pid \d+\)/)
        expect(w.stderr).toMatch(/secrets changed \(version \d+, 2 keys: ADDED, LOG_LEVEL\); restarting the command/)
        expect(w.stderr).not.toContain('warn-7f3a')

        // Idle polls: the small, unencrypted version endpoint only, under 1 KB on the wire (headers
        // included); full fetches only on a new version.
        await w.request(isVersionPoll)
        await new Promise((resolve) => setTimeout(resolve, 200))
        const before = w.proxy!.bytes()
        await w.request(isVersionPoll)
        await new Promise((resolve) => setTimeout(resolve, 200))
        expect(w.proxy!.bytes() - before).toBeLessThan(1024)
        const requests = w.emulator.requests().filter((r) => r.path.startsWith('/api/v1/projects/'))
        const polls = requests.filter(isVersionPoll)
        expect(polls.length).toBeGreaterThanOrEqual(4)
        for (const poll of polls) {
          expect(poll.status).toBe(200)
          expect(poll.encrypted).toBe(false)
          expect(poll.requestBytes + poll.responseBytes).toBeLessThan(1024)
        }
        expect(requests.filter(isFullFetch)).toHaveLength(3) // start, bump, change
        expect(w.starts()).toHaveLength(2)

        // SIGTERM to bella goes to the current child; bella exits as the child did (143).
        w.proc.kill('SIGTERM')
        expect(await w.exited).toEqual({code: 143, signal: null})
        await w.event('SIGTERM at the new child', (e) => e.e === 'signal' && e.pid === second.pid && e.sig === 'SIGTERM')
      }, {proxy: true}),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    '--signal sighup: the same process gets SIGHUP once per change, and is not signalled again on later polls',
    () =>
      scenario(['--signal', 'sighup'], ['--env', 'LOG_LEVEL'], async (w) => {
        const [first] = w.starts()
        const changedAt = w.change({LOG_LEVEL: 'info'})
        const hup = await w.event('SIGHUP', (e) => e.e === 'signal' && e.sig === 'SIGHUP')
        expect(hup.pid).toBe(first!.pid)
        expect(hup.t - changedAt).toBeLessThanOrEqual(BUDGET_MS)
        // bella writes this line before it signals, but its pipe may be read after the child's record.
        await w.line(/secrets changed \(version \d+, 1 key: LOG_LEVEL\); sending SIGHUP to the command \(pid \d+\)/)
        // Polls go on past the 10 s rate-limit window without signalling again.
        while (Date.now() < hup.t + 10_500) await w.request(isVersionPoll)
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(w.events().filter((e) => e.e === 'signal')).toHaveLength(1)
        expect(w.starts()).toHaveLength(1)
        expect(alive(first!.pid)).toBe(true)
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a burst of changes around a poll causes one restart, with the final values',
    () =>
      scenario([], ['--env', 'BURST_A,BURST_B'], async (w) => {
        // The poll that sees the first edit is answered; the others land while bella settles.
        const seen = w.request(isVersionPoll)
        w.change({BURST_A: '1'})
        await seen
        setTimeout(() => w.change({BURST_B: '2'}), 100)
        await new Promise((resolve) => setTimeout(resolve, 250))
        const lastAt = w.change({BURST_A: '3'})
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== w.starts()[0]!.pid)
        expect(second.env).toEqual({BURST_A: '3', BURST_B: '2'})
        expect(second.t - lastAt).toBeLessThanOrEqual(BUDGET_MS + PROCESS_START_SLACK_MS)
        await w.request(isVersionPoll)
        expect(w.starts()).toHaveLength(2)
        expect(w.count(/restarting the command/)).toBe(1)
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a failing API: the child keeps running, bella says so once and once when it recovers, and a change made meanwhile still applies',
    () =>
      scenario([], ['--env', 'LOG_LEVEL'], async (w) => {
        const [first] = w.starts()
        w.emulator.injectFault({type: 'status', status: 503, count: 'always', pathPrefix: '/api/v1/projects'})
        await w.line(/cannot check for secret changes: .*503/)
        expect(w.stderr).toMatch(/the command keeps running on the secrets it has; next check in \d/)
        w.change({LOG_LEVEL: 'during-outage'})
        const failed = w.emulator.requests().filter((r) => isVersionPoll(r) && r.status === 503).length
        // Another failed poll goes by without another line.
        await w.request((r) => isVersionPoll(r) && r.status === 503)
        await w.request((r) => isVersionPoll(r) && r.status === 503)
        expect(w.emulator.requests().filter((r) => isVersionPoll(r) && r.status === 503).length).toBeGreaterThan(failed)
        await new Promise((resolve) => setTimeout(resolve, 300)) // time for a (wrong) second line to appear
        expect(w.count(/503/)).toBe(1)
        expect(alive(first!.pid)).toBe(true)
        expect(w.starts()).toHaveLength(1)

        w.emulator.clearFaults()
        await w.line(/the Bella API answers again after \d+ failed checks? over/)
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== first!.pid)
        expect(second.env).toEqual({LOG_LEVEL: 'during-outage'})
        expect(w.count(/503/)).toBe(1)
        expect(w.count(/answers again/)).toBe(1)
        // Backing off: far fewer requests than one poll per interval with client retry storms.
        const during = w.emulator.requests().filter((r) => isVersionPoll(r) && r.status === 503).length
        expect(during).toBeLessThanOrEqual(6)
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a failed full fetch (bad E2EE envelope) keeps the child and loses no change: it is fetched again and applied',
    () =>
      scenario([], ['--env', 'LOG_LEVEL'], async (w) => {
        const [first] = w.starts()
        w.emulator.injectFault({type: 'e2ee', mode: 'tamper', count: 'always'})
        w.change({LOG_LEVEL: 'after-e2ee'})
        await w.line(/cannot check for secret changes: .*the command keeps running/)
        expect(w.emulator.requests().some((r) => isFullFetch(r) && r.fault === 'e2ee tamper')).toBe(true)
        expect(alive(first!.pid)).toBe(true)
        expect(w.starts()).toHaveLength(1)
        w.emulator.clearFaults()
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== first!.pid)
        expect(second.env).toEqual({LOG_LEVEL: 'after-e2ee'})
        expect(w.stderr).toMatch(/answers again after 1 failed check/)
        expect(w.stderr).not.toContain('after-e2ee')
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a child that crash-loops after a restart is started again after 1 s, 2 s, 4 s, then bella gives up with its status',
    () =>
      scenario([], ['--env', 'LOG_LEVEL', '--crash-if', 'LOG_LEVEL=bad'], async (w) => {
        w.change({LOG_LEVEL: 'bad'})
        const {code} = await w.exited
        expect(code).toBe(1)
        const crashes = w.events().filter((e) => e.e === 'crash')
        expect(crashes).toHaveLength(4) // the watch restart and 3 more attempts
        const gaps = crashes.slice(1).map((c, i) => c.t - crashes[i]!.t)
        ;[1000, 2000, 4000].forEach((backoff, i) => {
          expect(gaps[i]).toBeGreaterThanOrEqual(backoff)
          expect(gaps[i]).toBeLessThan(backoff + 1500)
        })
        expect(w.stderr).toMatch(/exited with status 1 .* after it was restarted; starting it again in 1 s \(attempt 1 of 3\)/)
        expect(w.stderr).toMatch(/starting it again in 2 s \(attempt 2 of 3\)/)
        expect(w.stderr).toMatch(/starting it again in 4 s \(attempt 3 of 3\)/)
        expect(w.stderr).toMatch(/3 restarts in a row; giving up/)
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'SIGTERM during a crash backoff: no new child, bella exits 143',
    () =>
      scenario([], ['--env', 'LOG_LEVEL', '--crash-if', 'LOG_LEVEL=bad'], async (w) => {
        w.change({LOG_LEVEL: 'bad'})
        await w.line(/starting it again in 1 s/)
        w.proc.kill('SIGTERM')
        expect(await w.exited).toEqual({code: 143, signal: null})
        expect(w.starts()).toHaveLength(2) // the first child and the one that crashed
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a child that ignores SIGTERM is SIGKILLed after --kill-timeout during a restart; a second SIGTERM to bella kills it at once',
    () =>
      scenario(['--kill-timeout', '1'], ['--env', 'LOG_LEVEL', '--ignore-term'], async (w) => {
        const [first] = w.starts()
        w.change({LOG_LEVEL: 'next'})
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== first!.pid)
        const term = w.events().find((e) => e.e === 'signal' && e.pid === first!.pid && e.sig === 'SIGTERM')!
        expect(second.t - term.t).toBeGreaterThanOrEqual(1000)
        expect(second.t - term.t).toBeLessThan(1000 + 1500)
        expect(alive(first!.pid)).toBe(false)
        expect(second.env).toEqual({LOG_LEVEL: 'next'})
        await w.line(/pid \d+ did not exit within 1 s of SIGTERM and was killed \(SIGKILL\)/)

        w.proc.kill('SIGTERM')
        await w.event('SIGTERM at the new child', (e) => e.e === 'signal' && e.pid === second.pid)
        w.proc.kill('SIGTERM')
        expect(await w.exited).toEqual({code: 137, signal: null})
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'SIGTERM while a restart waits for the old child: no new child is started, bella exits with its status',
    () =>
      scenario(['--kill-timeout', '5'], ['--env', 'LOG_LEVEL', '--ignore-term'], async (w) => {
        const [first] = w.starts()
        w.change({LOG_LEVEL: 'never-started'})
        await w.event('the restart SIGTERM', (e) => e.e === 'signal' && e.sig === 'SIGTERM')
        w.proc.kill('SIGTERM')
        const {code} = await w.exited
        // The old child is still stopping; a SIGTERM to bella then means "don't wait": SIGKILL (137).
        expect(code).toBe(137)
        expect(w.starts()).toHaveLength(1)
        expect(alive(first!.pid)).toBe(false)
      }),
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'a child that exits by itself ends bella with its status, without waiting for a poll',
    async () => {
      const emulator = await startEmulator({port: 0})
      try {
        const env = {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}
        const log = join(testTempDir('bella-watch-'), 'events.jsonl')
        const child = [process.execPath, join(fixtures, 'watch-child.js'), log]
        const started = Date.now()
        const r = await bella(['run', '--watch', '--poll-interval', '30', '--', ...child, '--exit-after', '300:7'], {env})
        expect(r.code).toBe(7)
        expect(Date.now() - started).toBeLessThan(POLL_MS)
        // The first child is not "crash-looping after a restart": its failure ends bella at once.
        const failed = await bella(['run', '--watch', '--', ...child, '--exit-after', '0:3'], {env})
        expect(failed.code).toBe(3)
        expect(failed.stderr).not.toMatch(/starting it again/)
      } finally {
        await emulator.close()
      }
    },
    TEST_TIMEOUT_MS,
  )

  it.concurrent(
    'flag validation: exit 2 before any request',
    async () => {
      // An unreachable API: had validation come later, these would exit 4.
      const env = {...isolatedHome(), BELLA_BAXTER_URL: 'http://127.0.0.1:1', BELLA_BAXTER_API_KEY: `bax-${'a'.repeat(32)}-${'ab'.repeat(32)}`}
      const tooFast = await bella(['run', '--watch', '--poll-interval', '4', '--', 'true'], {env})
      expect(tooFast.code).toBe(2)
      expect(tooFast.stderr).toContain('--poll-interval must be a whole number of seconds from 5')

      const unknown = await bella(['run', '--watch', '--signal', 'nope', '--', 'true'], {env})
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('unknown signal type "nope"')
      expect(unknown.stderr).toMatch(/use one of: .*restart.*sighup/)

      const notWatching = await bella(['run', '--poll-interval', '10', '--signal', 'sighup', '--', 'true'], {env})
      expect(notWatching.code).toBe(2)
      expect(notWatching.stderr).toContain('--poll-interval, --signal only apply with --watch')

      const badKill = await bella(['run', '--watch', '--kill-timeout', '-1', '--', 'true'], {env})
      expect(badKill.code).toBe(2)
      expect(badKill.stderr).toContain('--kill-timeout must be a whole number of seconds from 0')
    },
    TEST_TIMEOUT_MS,
  )
})
