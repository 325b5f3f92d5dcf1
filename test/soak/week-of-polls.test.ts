/**
 * A week of polling on a fake clock, against the emulator over loopback with bella's real API
 * client: the `run --watch` loop (WatchLoop) and the agent's scheduler (Agent with AgentTimers)
 * each poll every 30 s for 7 simulated days (20,160 polls), with a secret changing once a day.
 * Nothing may grow with the number of polls: pending timers stay at one per loop or watch, the
 * abort listeners on the loop's long-lived signal and the process's listeners stay as they were,
 * real handles (timers, sockets) stay bounded, and the heap after a forced GC does not grow.
 * Counts are compared after day 1 (warm) and day 7; nothing here is timed.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {getEventListeners} from 'node:events'
import {parse as parseDotenv} from 'dotenv'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {createApiClient, createRegistries, getAllEnvironmentSecrets, getEnvironmentSecretsVersion, parseApiKey} from '@bella/core/runtime'
import {Agent} from '../../plugins/agent/src/agent.js'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {WatchLoop, type SecretSet} from '../../plugins/run/src/watch/loop.js'
import {dotenvSink} from '../../plugins/sink-dotenv/src/index.js'
import {jsonSink} from '../../plugins/sink-json/src/index.js'
import {SteppingClock} from '../helpers/fake-clock.js'

const POLL_MS = 30_000
const DAY_MS = 24 * 3600 * 1000
const DAYS = 7
/** Generous: a leak of even 100 bytes per poll would be 1.7 MB over days 2 to 7. */
const HEAP_SLACK_BYTES = 8 * 1024 * 1024

/** `global.gc`, switched on for this file only when jest was not started with --expose-gc. */
function forcedGc(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const gc = forcedGc()

interface Sample {
  heapUsed: number
  processListeners: number
  handles: Record<string, number>
}
function sample(): Sample {
  for (let i = 0; i < 3; i++) gc()
  const handles: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1
  const processListeners = process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0)
  return {heapUsed: process.memoryUsage().heapUsed, processListeners, handles}
}
const settle = () => new Promise((r) => setTimeout(r, 50))

/** Day 7 holds what day 1 held: the same process listeners, at most one more timer and two more sockets, the heap within its slack. */
function expectNoGrowth(samples: Sample[]): void {
  const [day1, day7] = [samples[0]!, samples[DAYS - 1]!]
  expect(day7.processListeners).toBe(day1.processListeners)
  expect(day7.handles['Timeout'] ?? 0).toBeLessThanOrEqual((day1.handles['Timeout'] ?? 0) + 1)
  expect(day7.handles['TCPSocketWrap'] ?? 0).toBeLessThanOrEqual((day1.handles['TCPSocketWrap'] ?? 0) + 2)
  expect(day7.heapUsed - day1.heapUsed).toBeLessThan(HEAP_SLACK_BYTES)
}

let emulator: Emulator
let dir: string
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [{name: 'week key', project: 'week'}],
      projects: [{slug: 'week', environments: ['a', 'b'].map((slug) => ({slug, providers: [{slug: 'vault', secrets: {[`${slug.toUpperCase()}_TOKEN`]: 'day-0'}}]}))}],
    },
  })
  dir = mkdtempSync(join(tmpdir(), 'bella-week-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})

const credentials = () => ({kind: 'api-key' as const, key: parseApiKey(emulator.apiKey)})

describe('a week of polls every 30 s (fake clock, real client, emulator)', () => {
  it('run --watch loop: one timer, constant listeners and handles, no heap growth', async () => {
    const clock = new SteppingClock()
    const stopping = new AbortController()
    // As runWatch builds it: a long-lived signal on which every request may hang listeners.
    const api = createApiClient({baseUrl: emulator.url, credentials: credentials(), timeoutMs: 5000, retry: {retries: 1}, signal: stopping.signal})
    const fetchSet = async (): Promise<SecretSet> => {
      const fetched = await getAllEnvironmentSecrets(api, 'week', 'a')
      return {version: fetched.version, lastModified: fetched.lastModified, env: fetched.secrets}
    }
    const said: string[] = []
    let deliveries = 0
    let checks = 0
    const initial = await fetchSet()
    const loop = new WatchLoop(
      {
        pollIntervalMs: POLL_MS,
        timers: clock,
        random: () => 0.999999,
        async checkVersion() {
          checks++
          const answer = await getEnvironmentSecretsVersion(api, 'week', 'a')
          return {version: answer.version, lastModified: answer.lastModified}
        },
        fetch: fetchSet,
        async deliver() {
          deliveries++
        },
        async startAgain() {},
        childRunning: () => true,
        shuttingDown: () => false,
        say: (m) => said.push(m),
        debug: () => {},
      },
      initial,
    )
    const abortListeners = () => getEventListeners(stopping.signal, 'abort').length
    const before = abortListeners()
    loop.start()
    const samples: Sample[] = []
    let maxAbortListeners = before
    for (let day = 1; day <= DAYS; day++) {
      for (let hour = 1; hour <= 24; hour++) {
        await clock.runUntil((day - 1) * DAY_MS + hour * 3600_000)
        maxAbortListeners = Math.max(maxAbortListeners, abortListeners())
      }
      emulator.setSecrets({project: 'week', environment: 'a'}, {set: {A_TOKEN: `day-${day}`}})
      await settle()
      samples.push(sample())
    }
    loop.stop()

    expect(said).toEqual([]) // no API trouble reported all week
    expect(checks).toBeGreaterThanOrEqual(DAYS * (DAY_MS / POLL_MS) - DAYS)
    expect(deliveries).toBe(DAYS - 1) // day 7's change comes after the last poll
    expect(clock.maxPending).toBe(1)
    expect(clock.pendingCount).toBe(0)
    expect([before, maxAbortListeners, abortListeners()]).toEqual([before, before, before])
    expectNoGrowth(samples)
  }, 600_000)

  it('agent scheduler: one timer per watch, constant listeners and handles, no heap growth', async () => {
    writeFileSync(
      join(dir, 'bella-agent.yaml'),
      'watches:\n  - {project: week, environment: a, poll-interval: 30}\n  - {project: week, environment: b, poll-interval: 30}\nsinks:\n  - {type: dotenv, path: .env}\n  - {type: json, path: secrets.json}\n',
    )
    const registries = createRegistries()
    registries.sinks.register(dotenvSink, 'test')
    registries.sinks.register(jsonSink, 'test')
    const clock = new SteppingClock()
    const counts: Record<string, number> = {}
    const agent = new Agent({
      configPath: join(dir, 'bella-agent.yaml'),
      configLabel: 'bella-agent.yaml',
      env: {},
      registries,
      connect: async () => createApiClient({baseUrl: emulator.url, credentials: credentials(), timeoutMs: 5000, retry: {retries: 1}}),
      once: false,
      // Counted, never kept: a log that grew would hide a leak of the agent's own.
      log: {emit: (event) => void (counts[`${event.level} ${event.event}`] = (counts[`${event.level} ${event.event}`] ?? 0) + 1)},
      timers: clock,
      random: () => 0.5,
    })
    const exit = agent.run()
    const samples: Sample[] = []
    for (let day = 1; day <= DAYS; day++) {
      await clock.runUntil(day * DAY_MS, () => agent.whenIdle())
      await agent.whenIdle()
      emulator.setSecrets({project: 'week', environment: day % 2 ? 'a' : 'b'}, {set: {[`${day % 2 ? 'A' : 'B'}_TOKEN`]: `day-${day}`}})
      samples.push(sample())
    }
    agent.stop('SIGTERM')
    expect(await exit).toBe(0)

    expect(Object.keys(counts).filter((key) => key.startsWith('warn') || key.startsWith('error'))).toEqual([])
    expect(clock.fired).toBeGreaterThanOrEqual(2 * DAYS * (DAY_MS / POLL_MS) - 2)
    expect(clock.maxPending).toBe(2)
    expect(clock.pendingCount).toBe(0)
    // Start-up, then days 1 to 6's changes (day 7's comes after the last poll).
    expect(counts['info written']).toBe(2 * DAYS)
    // Compared, not printed: the last change of each environment is in the file.
    const written = parseDotenv(readFileSync(join(dir, '.env')))
    expect([written['A_TOKEN'] === 'day-5', written['B_TOKEN'] === 'day-6']).toEqual([true, true])
    expectNoGrowth(samples)
  }, 600_000)
})
