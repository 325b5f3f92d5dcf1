import {describe, expect, it} from '@jest/globals'
import {authError, unreachableError} from '@bella/core/runtime'
import {WatchLoop, type SecretSet, type Timers, type WatchLoopDeps} from '../src/watch/loop.js'

/** A clock that only moves when told to; timers fire in order as it passes them. */
class FakeTimers implements Timers {
  private t = 0
  private nextId = 1
  private queue: {at: number; id: number; callback: () => void}[] = []

  now(): number {
    return this.t
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.queue.push({at: this.t + Math.max(0, ms), id, callback})
    return id
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((entry) => entry.id !== handle)
  }

  /** Timers armed right now (the loop keeps at most one). */
  get armed(): number {
    return this.queue.length
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      await settle()
      const due = this.queue.filter((e) => e.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.queue = this.queue.filter((e) => e !== due)
      this.t = due.at
      due.callback()
    }
    this.t = end
    await settle()
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A fake server and child: the loop's world, recorded. */
function world(options: {interval?: number; random?: number} = {}) {
  const timers = new FakeTimers()
  const server = {version: 1, lastModified: 't1', env: {A: '1', B: '2'} as Record<string, string>, versionFails: false, versionRefused: false, fetchFails: false}
  const log = {
    versionChecks: [] as number[],
    fetches: [] as number[],
    deliveries: [] as {at: number; version: number; env: Record<string, string>; changed: string[]}[],
    starts: [] as {at: number; env: Record<string, string>; attempt: number}[],
    said: [] as string[],
  }
  const child = {running: true, shuttingDown: false}
  const deps: WatchLoopDeps = {
    pollIntervalMs: options.interval ?? 5000,
    timers,
    random: () => options.random ?? 0.999999,
    async checkVersion() {
      log.versionChecks.push(timers.now())
      if (server.versionRefused) throw authError('The Bella API refused GET /version (401 Unauthorized): the API key has been revoked', {code: 'api_unauthorized'})
      if (server.versionFails) throw unreachableError('Could not get an answer from the Bella API (503 Service Unavailable)', {code: 'api_http_503'})
      return {version: server.version, lastModified: server.lastModified}
    },
    async fetch(): Promise<SecretSet> {
      log.fetches.push(timers.now())
      if (server.fetchFails) throw unreachableError('e2ee: tampered envelope', {code: 'e2ee-tampered'})
      return {version: server.version, env: {...server.env}}
    },
    async deliver(set, changed) {
      log.deliveries.push({at: timers.now(), version: set.version, env: {...set.env}, changed})
    },
    async startAgain(set, attempt) {
      child.running = true
      log.starts.push({at: timers.now(), env: {...set.env}, attempt})
    },
    childRunning: () => child.running,
    shuttingDown: () => child.shuttingDown,
    say: (m) => log.said.push(m),
    debug: () => {},
  }
  const loop = new WatchLoop(deps, {version: 1, lastModified: 't1', env: {...server.env}})
  const change = (set: Record<string, string>) => {
    server.env = {...server.env, ...set}
    server.version += 1
  }
  return {timers, server, log, child, loop, change}
}

describe('WatchLoop: polling', () => {
  it('polls the version once per (jittered) interval and fetches nothing while it is unchanged; one timer', async () => {
    const {timers, log, loop} = world({random: 0})
    loop.start()
    expect(timers.armed).toBe(1)
    await timers.advance(3999)
    expect(log.versionChecks).toEqual([])
    await timers.advance(1)
    expect(log.versionChecks).toEqual([4000])
    await timers.advance(20_000)
    expect(log.versionChecks).toEqual([4000, 8000, 12_000, 16_000, 20_000, 24_000])
    expect(log.fetches).toEqual([])
    expect(timers.armed).toBe(1)
    loop.stop()
    expect(timers.armed).toBe(0)
  })

  it('a version bump with identical values fetches once and does not touch the child', async () => {
    const {timers, server, log, loop} = world()
    loop.start()
    server.version = 2
    await timers.advance(20_000)
    expect(log.fetches).toHaveLength(1)
    expect(log.deliveries).toEqual([])
    expect(loop.knownVersion).toBe(2)
  })
})

describe('WatchLoop: acting on a change', () => {
  it('settles for 0.5 s, re-checks the version, fetches and delivers within interval + 1 s', async () => {
    const {timers, log, loop, change} = world()
    loop.start()
    change({B: 'new', C: 'added'})
    await timers.advance(5000)
    expect(log.versionChecks).toEqual([5000])
    expect(log.deliveries).toEqual([])
    await timers.advance(500)
    expect(log.versionChecks).toEqual([5000, 5500])
    expect(log.deliveries).toEqual([{at: 5500, version: 2, env: {A: '1', B: 'new', C: 'added'}, changed: ['B', 'C']}])
    expect(loop.deliveredEnv).toEqual({A: '1', B: 'new', C: 'added'})
    // Delivered: later polls do not act again.
    await timers.advance(30_000)
    expect(log.deliveries).toHaveLength(1)
    expect(log.fetches).toHaveLength(1)
  })

  it('a burst of edits is one delivery with the final values', async () => {
    const {timers, log, loop, change} = world()
    loop.start()
    change({A: 'a1'})
    await timers.advance(5000) // the poll sees the first edit…
    change({A: 'a2'})
    await timers.advance(500) // …the re-check sees another one and waits once more…
    change({A: 'a3', B: 'b3'})
    await timers.advance(500)
    expect(log.versionChecks).toEqual([5000, 5500, 6000])
    expect(log.deliveries).toHaveLength(1)
    expect(log.deliveries[0]).toMatchObject({at: 6000, version: 4, env: {A: 'a3', B: 'b3'}})
    await timers.advance(60_000)
    expect(log.deliveries).toHaveLength(1)
  })

  it('rate-limits: a change within 10 s of the last action waits for the window, then uses the newest set', async () => {
    const {timers, log, loop, change} = world()
    loop.start()
    change({A: 'x'})
    await timers.advance(5500)
    expect(log.deliveries.map((d) => d.at)).toEqual([5500])
    change({A: 'y'})
    await timers.advance(5500) // the poll at 10 500 fetches it at 11 000, but the window opens at 15 500
    expect(log.fetches).toEqual([5500, 11_000])
    expect(log.deliveries).toHaveLength(1)
    change({A: 'z'})
    await timers.advance(4500) // the window opens at 15 500: 'y' is applied; 'z' is seen by the poll at 16 000
    expect(log.deliveries.map((d) => [d.at, d.env.A])).toEqual([
      [5500, 'x'],
      [15_500, 'y'],
    ])
    await timers.advance(20_000)
    expect(log.deliveries.map((d) => [d.at, d.env.A])).toEqual([
      [5500, 'x'],
      [15_500, 'y'],
      [25_500, 'z'],
    ])
  })

  it('does not act while bella is shutting down', async () => {
    const {timers, log, loop, child, change} = world()
    loop.start()
    change({A: 'x'})
    child.shuttingDown = true
    await timers.advance(10_000)
    expect(log.deliveries).toEqual([])
    // …and arms no timer either: a pending change must not turn into a busy loop while the child stops.
    expect(timers.armed).toBe(0)
  })

  it('stop() during the settle wait cancels everything', async () => {
    const {timers, log, loop, change} = world()
    loop.start()
    change({A: 'x'})
    await timers.advance(5100)
    loop.stop()
    await timers.advance(60_000)
    expect(log.fetches).toEqual([])
    expect(log.deliveries).toEqual([])
    expect(timers.armed).toBe(0)
  })
})

describe('WatchLoop: API failures', () => {
  it('reports once, backs off (interval, 2×, 4×), says when it recovers, and still applies a change made meanwhile', async () => {
    const {timers, server, log, loop, change} = world()
    loop.start()
    server.versionFails = true
    await timers.advance(5000)
    expect(log.said).toHaveLength(1)
    expect(log.said[0]).toMatch(/^bella: cannot check for secret changes: .*503.*the command keeps running on the secrets it has; next check in 5 s/)
    await timers.advance(5000 + 10_000 + 20_000)
    expect(log.versionChecks).toEqual([5000, 10_000, 20_000, 40_000])
    expect(log.said).toHaveLength(1)
    change({A: 'during outage'})
    server.versionFails = false
    await timers.advance(40_500) // next check at 80 000, its re-check at 80 500
    expect(log.versionChecks.slice(4)).toEqual([80_000, 80_500])
    expect(log.said[1]).toBe('bella: the Bella API answers again after 4 failed checks over 76 s; watching for changes')
    expect(log.deliveries).toMatchObject([{at: 80_500, env: {A: 'during outage'}}])
    // Back to the normal interval.
    await timers.advance(5000)
    expect(log.versionChecks.at(-1)).toBe(85_500)
  })

  it('a failed full fetch does not record the version: the change is fetched again and applied (contract §5.2 #8)', async () => {
    const {timers, server, log, loop, change} = world()
    loop.start()
    change({A: 'x'})
    server.fetchFails = true
    await timers.advance(5500)
    expect(log.fetches).toEqual([5500])
    expect(log.deliveries).toEqual([])
    expect(loop.knownVersion).toBe(1)
    expect(log.said[0]).toMatch(/^bella: cannot check for secret changes: e2ee: tampered envelope/)
    server.fetchFails = false
    await timers.advance(5500)
    expect(log.fetches).toEqual([5500, 11_000])
    expect(log.deliveries).toMatchObject([{at: 11_000, version: 2, env: {A: 'x'}}])
    expect(log.said[1]).toMatch(/answers again after 1 failed check/)
  })
})

describe('WatchLoop: credentials refused (a key revoked while watching)', () => {
  it('says so once, checks again only every 5 intervals (not doubling from one), and says when the key is accepted again', async () => {
    const {timers, server, log, loop} = world({interval: 5000})
    loop.start()
    await timers.advance(5000)
    expect(log.versionChecks).toEqual([5000])
    server.versionRefused = true
    await timers.advance(5000)
    expect(log.versionChecks).toEqual([5000, 10_000])
    await timers.advance(60_000)
    // 5 × 5 s: 35 s, 60 s (an unreachable API would have been asked at 15, 25, 45 s).
    expect(log.versionChecks).toEqual([5000, 10_000, 35_000, 60_000])
    expect(log.said.filter((m) => /refused bella's API key/.test(m))).toHaveLength(1)
    expect(log.said[0]).toMatch(/revoked or expired.*the command keeps running.*every 25 s/)

    server.versionRefused = false
    await timers.advance(15_000)
    expect(log.versionChecks.at(-1)).toBe(85_000)
    expect(log.said.at(-1)).toMatch(/^bella: the Bella API answers again after 3 failed checks/)
    // Back to the normal rate.
    await timers.advance(5000)
    expect(log.versionChecks.at(-1)).toBe(90_000)
  })

  it('a long interval is not stretched past the failure cap (5 min), nor shortened below itself', async () => {
    const {authFailureDelay} = await import('../src/watch/policy.js')
    expect(authFailureDelay(5000, () => 1)).toBe(25_000)
    expect(authFailureDelay(120_000, () => 1)).toBe(300_000)
    expect(authFailureDelay(600_000, () => 1)).toBe(600_000)
  })
})

describe('WatchLoop: a server reset (versions not strictly increasing)', () => {
  it('a change that lands on the version it already had is fetched and delivered (told apart by lastModified)', async () => {
    const {timers, server, log, loop} = world()
    loop.start()
    // Reset to version 0, then one edit: version 1 again, other values, a new lastModified.
    server.env = {A: 'after-reset', B: '2'}
    server.lastModified = 't2'
    await timers.advance(5500)
    expect(log.fetches).toEqual([5500])
    expect(log.deliveries).toMatchObject([{at: 5500, version: 1, env: {A: 'after-reset', B: '2'}, changed: ['A']}])
    // Recorded: the next polls see the same marker and fetch nothing more.
    await timers.advance(20_000)
    expect(log.fetches).toHaveLength(1)
  })

  it('a version that went back is fetched and compared: the same secrets change nothing, and bella says so', async () => {
    const {timers, server, log, loop, change} = world()
    loop.start()
    change({A: 'x'})
    change({A: 'y'})
    await timers.advance(5500)
    expect(log.deliveries).toMatchObject([{version: 3, env: {A: 'y'}}])
    server.version = 2 // restored from a backup holding the same values
    server.lastModified = 't-restored'
    await timers.advance(5500)
    expect(log.fetches).toHaveLength(2)
    expect(log.deliveries).toHaveLength(1)
    expect(log.said.some((line) => /went back from 3 to 2/.test(line))).toBe(true)
    expect(loop.knownVersion).toBe(2)
    // A real change after the restore is seen at once, though 3 is a number bella had before.
    change({A: 'z'})
    await timers.advance(15_000)
    expect(log.deliveries).toMatchObject([{version: 3, env: {A: 'y'}}, {version: 3, env: {A: 'z'}}])
  })
})

describe('WatchLoop: crash-looping child after a restart', () => {
  const crash = {exitCode: 1, uptimeMs: 300, startedByWatch: true, signalled: false}

  it('starts it again after 1 s, 2 s, 4 s, then gives up', async () => {
    const {timers, log, loop, child} = world()
    loop.start()
    const exit = async () => {
      child.running = false
      return loop.childExited(crash)
    }
    expect(await exit()).toBe(true)
    expect(log.said.at(-1)).toBe('bella: the command exited with status 1 300 ms after it was restarted; starting it again in 1 s (attempt 1 of 3)')
    await timers.advance(999)
    expect(log.starts).toEqual([])
    await timers.advance(1)
    expect(log.starts.map((s) => [s.at, s.attempt])).toEqual([[1000, 1]])
    expect(await exit()).toBe(true)
    await timers.advance(2000)
    expect(await exit()).toBe(true)
    await timers.advance(4000)
    expect(log.starts.map((s) => [s.at, s.attempt])).toEqual([
      [1000, 1],
      [3000, 2],
      [7000, 3],
    ])
    expect(await exit()).toBe(false)
    expect(log.said.at(-1)).toMatch(/status 1 .*3 restarts in a row; giving up/)
  })

  it('uses the newest secrets when one arrives during the backoff', async () => {
    const {timers, log, loop, child, change} = world()
    loop.start()
    change({A: 'bad'})
    await timers.advance(5500)
    expect(log.deliveries).toHaveLength(1)
    child.running = false
    expect(loop.childExited(crash)).toBe(true)
    change({A: 'fixed'})
    await timers.advance(1000)
    // The 1 s backoff ends before the next poll, so it restarts with what it knows…
    expect(log.starts.map((s) => s.env.A)).toEqual(['bad'])
    await timers.advance(2500)
    child.running = false
    expect(loop.childExited(crash)).toBe(true) // at 9 000: next start at 11 000
    await timers.advance(2000) // …the poll at 10 500 fetches the fix by 11 000, and the restart gets it
    expect(log.starts.map((s) => [s.at, s.env.A])).toEqual([
      [6500, 'bad'],
      [11_000, 'fixed'],
    ])
    expect(log.deliveries).toHaveLength(1)
  })

  it.each([
    ['the first child (not started by --watch)', {startedByWatch: false}],
    ['a clean exit', {exitCode: 0}],
    ['a child that ran for 10 s', {uptimeMs: 10_000}],
    ['a child the user signalled', {signalled: true}],
  ])('%s ends bella', (_, override) => {
    const {loop} = world()
    loop.start()
    expect(loop.childExited({...crash, ...override})).toBe(false)
  })
})
