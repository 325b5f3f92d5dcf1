/**
 * The agent loop against a scripted API, in-memory sinks and hand-driven timers: change
 * detection, all-or-nothing writes, signalling order, pid-file problems, reload and stop.
 * (The real CLI against the emulator: test/e2e/agent*.test.ts.)
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {unreachableError, type ApiClient, type ApiRequest} from '@bella/core'
import {Agent, createAgentLog, type AgentEvent, type AgentTimers} from '../src/index.js'
import {memorySinkStore, testRegistries, type MemorySinkStore} from './helpers.js'

interface EnvState {
  version: number
  secrets: Record<string, string>
  providers: Record<string, Record<string, string>>
}

/** A scripted Bella API: environments keyed "project/env", and path prefixes that fail. */
class FakeApi {
  envs = new Map<string, EnvState>()
  failing = new Set<string>()
  calls: string[] = []

  client(): ApiClient {
    return {baseUrl: 'http://fake', credentials: undefined, request: (req) => this.request(req)}
  }

  set(key: string, change: Record<string, string>, bump = true): void {
    const env = this.envs.get(key)!
    Object.assign(env.secrets, change)
    if (bump) env.version++
  }

  private async request<T>(req: ApiRequest): Promise<T> {
    const path = decodeURIComponent(req.path)
    this.calls.push(path)
    if ([...this.failing].some((prefix) => path.startsWith(prefix))) {
      throw unreachableError(`Could not get an answer from the Bella API at http://fake for GET ${path}`)
    }
    const m = /^\/api\/v1\/projects\/([^/]+)\/environments\/([^/]+)\/(.*)$/.exec(path)!
    const env = this.envs.get(`${m[1]}/${m[2]}`)!
    const rest = m[3]!
    if (rest === 'secrets') return {environmentSlug: m[2], environmentName: m[2], secrets: {...env.secrets}, version: env.version, lastModified: ''} as T
    if (rest === 'secrets/version') return {environmentSlug: m[2], version: env.version, lastModified: ''} as T
    if (rest === 'providers') {
      return Object.keys(env.providers).map((slug) => ({id: `a-${slug}`, providerId: `p-${slug}`, providerSlug: slug, providerName: `Name ${slug}`})) as T
    }
    const p = /^providers\/([^/]+)\/secrets(\/hash)?$/.exec(rest)!
    const secrets = env.providers[p[1]!]!
    if (p[2]) return {hash: JSON.stringify(secrets), secretCount: Object.keys(secrets).length, computedAt: ''} as T
    return Object.entries(secrets).map(([key, value]) => ({key, value})) as T
  }
}

class ManualTimers implements AgentTimers {
  private armed = new Map<number, () => void>()
  private next = 1
  set(callback: () => void): unknown {
    const id = this.next++
    this.armed.set(id, callback)
    return id
  }
  clear(handle: unknown): void {
    this.armed.delete(handle as number)
  }
  get count(): number {
    return this.armed.size
  }
  /** Fires every armed timer once (each watch polls once). */
  fire(): void {
    const callbacks = [...this.armed.values()]
    this.armed.clear()
    for (const callback of callbacks) callback()
  }
}

let dir: string
let api: FakeApi
let timers: ManualTimers
let store: MemorySinkStore
let events: AgentEvent[]
let order: string[]
let kills: {pid: number; signal: string | 0}[]
let pidFileText: string | undefined
let alive: boolean

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bella-agent-unit-'))
  api = new FakeApi()
  api.envs.set('shop/dev', {version: 1, secrets: {A: 'dev-a', SHARED: 'from-dev'}, providers: {vault: {V: 'v1'}}})
  api.envs.set('shop/prod', {version: 7, secrets: {B: 'prod-b', SHARED: 'from-prod'}, providers: {}})
  timers = new ManualTimers()
  store = memorySinkStore()
  events = []
  order = []
  kills = []
  pidFileText = '4242\n'
  alive = true
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const twoWatches = `watches:
  - project: shop
    environment: dev
  - project: shop
    environment: prod
sinks:
  - type: dotenv
    path: .env
  - type: json
    path: secrets.json
process:
  signal: sighup
  pid-file: app.pid
`

function makeAgent(configText: string, once = false): Agent {
  writeFileSync(join(dir, 'bella-agent.yaml'), configText)
  const originalPush = store.writes.push.bind(store.writes)
  store.writes.push = (...items: string[]) => {
    for (const item of items) order.push(`write ${item.slice(dir.length + 1)}`)
    return originalPush(...items)
  }
  return new Agent({
    configPath: join(dir, 'bella-agent.yaml'),
    configLabel: 'bella-agent.yaml',
    env: {},
    registries: testRegistries(store),
    connect: async () => api.client(),
    once,
    log: {emit: (event) => events.push(event)},
    timers,
    random: () => 0.5,
    pidFile: {
      readFile: async () => {
        if (pidFileText === undefined) throw Object.assign(new Error('ENOENT'), {code: 'ENOENT'})
        return pidFileText
      },
      kill: (pid, signal) => {
        if (!alive) throw Object.assign(new Error('ESRCH'), {code: 'ESRCH'})
        kills.push({pid, signal})
        if (signal !== 0) order.push(`signal ${signal}`)
      },
    },
  })
}

const named = (name: string) => events.filter((e) => e.event === name)
const file = (name: string) => store.files.get(join(dir, name))
const secretCalls = () => api.calls.filter((c) => c.endsWith('/secrets'))

/** Starts the agent and waits until its first sync is done. */
async function started(agent: Agent): Promise<{exit: Promise<number>}> {
  const exit = agent.run()
  let failed: unknown
  exit.catch((error) => (failed = error))
  for (let i = 0; i < 1000 && timers.count === 0 && failed === undefined; i++) await new Promise((r) => setTimeout(r, 2))
  if (failed) throw failed
  await agent.whenIdle()
  return {exit}
}

async function poll(agent: Agent): Promise<void> {
  timers.fire()
  await agent.whenIdle()
}

describe('agent loop', () => {
  it("a sink's error message reaches the log with every secret value redacted", async () => {
    store.echoing.add(join(dir, 'secrets.json'))
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    const failed = named('write-failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]!.message).toContain('cannot serialise')
    expect(failed[0]!.message).toContain('"SHARED":"*****"')
    expect(JSON.stringify(events)).not.toMatch(/from-dev|from-prod|dev-a|prod-b/)
    agent.stop()
    await running.exit
  })

  it('writes the merged secrets at start-up (later watch wins), reports a shared key once, then signals', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    expect(file('.env')).toEqual({A: 'dev-a', SHARED: 'from-prod', B: 'prod-b'})
    expect(file('secrets.json')).toEqual(file('.env'))
    expect(named('collision')).toHaveLength(1)
    expect(named('collision')[0]!.keys).toEqual(['SHARED'])
    expect(JSON.stringify(events)).not.toMatch(/from-dev|from-prod|dev-a|prod-b/)
    // Signalled after both sinks were written.
    expect(order).toEqual(['write .env', 'write secrets.json', 'signal SIGHUP'])
    expect(kills).toEqual([{pid: 4242, signal: 0}, {pid: 4242, signal: 'SIGHUP'}])
    agent.stop()
    expect(await running.exit).toBe(0)
  })

  it('the first poll after start-up finds nothing new: no refetch, no write, no signal (no spurious first tick)', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    const fetches = secretCalls().length
    order.length = 0
    await poll(agent)
    expect(api.calls.filter((c) => c.endsWith('/secrets/version'))).toHaveLength(2)
    expect(secretCalls()).toHaveLength(fetches)
    expect(order).toEqual([])
    expect(named('collision')).toHaveLength(1)
    agent.stop()
    await running.exit
  })

  it('a change refetches only that watch, rewrites, then signals; a version bump with the same values writes nothing', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    order.length = 0
    api.calls.length = 0
    api.set('shop/dev', {A: 'dev-a2'})
    await poll(agent)
    expect(secretCalls()).toEqual(['/api/v1/projects/shop/environments/dev/secrets'])
    expect(file('.env')!.A).toBe('dev-a2')
    expect(order).toEqual(['write .env', 'write secrets.json', 'signal SIGHUP'])
    expect(named('collision')).toHaveLength(1) // still reported once

    order.length = 0
    api.set('shop/prod', {}, true) // version moves, values do not
    await poll(agent)
    // The digest of the secrets decides, not the version: nothing to write, nothing to signal.
    expect(named('fetched').at(-1)).toMatchObject({watch: 'shop/prod', changed: false, version: 8})
    expect(order).toEqual([])
    agent.stop()
    await running.exit
  })

  it('while one watch fails nothing is written; when it answers again the held change is written and signalled once', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    order.length = 0
    api.failing.add('/api/v1/projects/shop/environments/prod')
    await poll(agent)
    expect(named('fetch-failed')).toHaveLength(1)
    expect(named('fetch-failed')[0]).toMatchObject({level: 'warn', watch: 'shop/prod', kind: 'unreachable'})
    api.set('shop/dev', {A: 'dev-a3'})
    await poll(agent)
    expect(named('fetched').at(-1)).toMatchObject({watch: 'shop/dev', changed: true})
    expect(named('held')).toHaveLength(1)
    expect(file('.env')!.A).toBe('dev-a') // last good content stays
    await poll(agent) // still failing: no new warning, nothing written
    expect(named('fetch-failed').filter((e) => e.level === 'warn')).toHaveLength(1)
    expect(named('held')).toHaveLength(1)
    expect(order).toEqual([])

    api.failing.clear()
    await poll(agent)
    expect(named('recovered')).toHaveLength(1)
    expect(file('.env')!.A).toBe('dev-a3')
    expect(order).toEqual(['write .env', 'write secrets.json', 'signal SIGHUP'])
    agent.stop()
    await running.exit
  })

  it('a failing sink write keeps the change staged, does not signal, and is retried on the next poll', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    order.length = 0
    store.failing.add(join(dir, 'secrets.json'))
    api.set('shop/dev', {A: 'dev-a4'})
    await poll(agent)
    expect(named('write-failed').filter((e) => e.level === 'error')).toHaveLength(1) // the retry by the other watch's poll is quiet
    expect(order).toEqual(['write .env'])
    store.failing.clear()
    await poll(agent)
    expect(order).toEqual(['write .env', 'write secrets.json', 'signal SIGHUP'])
    agent.stop()
    await running.exit
  })

  it('a missing or stale pid-file is a warning, not a crash', async () => {
    pidFileText = undefined
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    expect(named('signal-skipped')[0]).toMatchObject({level: 'warn', message: expect.stringContaining('pid-file app.pid does not exist')})
    pidFileText = '77'
    alive = false
    api.set('shop/dev', {A: 'x'})
    await poll(agent)
    expect(named('signal-skipped')[1]!.message).toContain('stale: no process 77 is running')
    pidFileText = 'garbage'
    api.set('shop/dev', {A: 'y'})
    await poll(agent)
    expect(named('signal-skipped')[2]!.message).toContain('does not hold a process id')
    expect(timers.count).toBe(2) // still polling
    agent.stop()
    expect(await running.exit).toBe(0)
  })

  it('a provider watch is resolved by name and polled through its hash', async () => {
    const agent = makeAgent('watches:\n  - {project: shop, environment: dev, provider: name VAULT}\nsinks: [{type: dotenv, path: .env}]\n')
    const running = await started(agent)
    expect(file('.env')).toEqual({V: 'v1'})
    api.envs.get('shop/dev')!.providers.vault = {V: 'v2'}
    api.calls.length = 0
    await poll(agent)
    expect(api.calls).toEqual([
      '/api/v1/projects/shop/environments/dev/providers/vault/secrets/hash',
      '/api/v1/projects/shop/environments/dev/providers/vault/secrets/hash',
      '/api/v1/projects/shop/environments/dev/providers/vault/secrets',
    ])
    expect(file('.env')).toEqual({V: 'v2'})
    agent.stop()
    await running.exit
  })

  it('reload: an invalid file keeps the running config, a valid one is applied', async () => {
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    writeFileSync(join(dir, 'bella-agent.yaml'), `${twoWatches}extra: 1\n`)
    agent.reload()
    await agent.whenIdle()
    expect(named('reload-rejected')[0]!.message).toMatch(/still running the previous config: .*bella-agent\.yaml:14:1: unknown key "extra"/)
    expect(timers.count).toBe(2)
    api.set('shop/dev', {A: 'after-rejected'})
    await poll(agent)
    expect(file('.env')!.A).toBe('after-rejected')

    writeFileSync(join(dir, 'bella-agent.yaml'), 'watches: [{project: shop, environment: dev}]\nsinks: [{type: json, path: other.json}]\n')
    agent.reload()
    await agent.whenIdle()
    expect(named('reloaded')).toHaveLength(1)
    expect(file('other.json')).toEqual({A: 'after-rejected', SHARED: 'from-dev'})
    expect(timers.count).toBe(1)
    agent.stop()
    expect(await running.exit).toBe(0)
    expect(timers.count).toBe(0)
  })

  it('--once: writes, signals, resolves 0 and leaves no timer', async () => {
    const agent = makeAgent(twoWatches, true)
    expect(await agent.run()).toBe(0)
    expect(order).toEqual(['write .env', 'write secrets.json', 'signal SIGHUP'])
    expect(timers.count).toBe(0)
    expect(named('stopped')[0]!.message).toBe('done: every sink is up to date')
  })

  it('--once: any watch failing writes nothing and rejects with that error', async () => {
    api.failing.add('/api/v1/projects/shop/environments/prod')
    const agent = makeAgent(twoWatches, true)
    await expect(agent.run()).rejects.toMatchObject({kind: 'unreachable', message: expect.stringMatching(/^cannot fetch shop\/prod: .*nothing was written$/)})
    expect([...store.writes]).toEqual([])
    expect(kills).toEqual([])
  })

  it('start-up: a failure retrying cannot fix is fatal', async () => {
    const agent = makeAgent('watches: [{project: shop, environment: dev, provider: nope}]\nsinks: [{type: dotenv, path: .env}]\n')
    await expect(agent.run()).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringContaining('cannot fetch shop/dev provider nope: bella-agent.yaml:1:55: shop/dev has no provider "nope"'),
      suggestions: ['use one of: vault'],
    })
  })

  it('start-up: an unreachable API is retried, nothing is written until every watch answered', async () => {
    api.failing.add('/api/v1/projects/shop/environments/prod')
    const agent = makeAgent(twoWatches)
    const running = await started(agent)
    expect(named('fetch-failed')).toHaveLength(1)
    expect(named('held')).toHaveLength(1)
    expect([...store.writes]).toEqual([])
    api.failing.clear()
    await poll(agent)
    expect(file('.env')).toEqual({A: 'dev-a', SHARED: 'from-prod', B: 'prod-b'})
    agent.stop()
    await running.exit
  })
})

describe('agent log', () => {
  it('text: one line per event, Warning:/Error:/debug: first, other events as bella agent:; json: one object per line', () => {
    const lines: string[] = []
    const at = new Date('2030-01-01T00:00:00.000Z')
    createAgentLog({format: 'text', verbose: false, write: (l) => lines.push(l)}).emit({event: 'held', level: 'warn', message: 'a\nb'})
    createAgentLog({format: 'text', verbose: false, write: (l) => lines.push(l)}).emit({event: 'fetched', level: 'debug', message: 'hidden'})
    createAgentLog({format: 'text', verbose: true, write: (l) => lines.push(l)}).emit({event: 'fetched', level: 'debug', message: 'shown'})
    createAgentLog({format: 'text', verbose: false, write: (l) => lines.push(l)}).emit({event: 'fetch-failed', level: 'error', message: 'e'})
    createAgentLog({format: 'text', verbose: false, write: (l) => lines.push(l)}).emit({event: 'written', level: 'info', message: 'i'})
    createAgentLog({format: 'json', verbose: false, write: (l) => lines.push(l), clock: () => at}).emit({event: 'written', level: 'info', message: 'm', target: '/x'})
    expect(lines).toEqual([
      'Warning: a | b\n',
      'debug: shown\n',
      'Error: e\n',
      'bella agent: i\n',
      '{"time":"2030-01-01T00:00:00.000Z","level":"info","event":"written","message":"m","target":"/x"}\n',
    ])
  })
})
