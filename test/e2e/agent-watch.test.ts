/**
 * The long-running `bella agent` end to end: one agent (real bin/run.js, --log-format json)
 * against an in-process emulator, keeping two files in sync for a fixture app that records every
 * SIGHUP with a fingerprint of the file it then reads (test/fixtures/agent-app.js). The steps run
 * in order on the same agent: start-up, a change, a no-op version bump, a failing watch and its
 * recovery, SIGHUP reloads (invalid, then valid), SIGTERM. Waits are on the agent's own events,
 * never fixed sleeps; poll-interval is the minimum, 5 s, so the whole file takes about a minute.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {parse as parseYaml} from 'yaml'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {AgentProc, agentEnv, agentSeed, leaked, lines, mode, Program, sha256, VALUES} from '../fixtures/agent-harness.js'
import {fixtures} from '../helpers/cli.js'

const LATER = {ROTATED: 'rotated-value-5e6f7a', DURING_OUTAGE: 'outage-value-9d8c7b'}
const ALL_VALUES = {...VALUES, ...LATER}
const STEP_MS = 60_000

let emulator: Emulator
let dir: string
let app: Program
let agent: AgentProc

const file = (name: string) => join(dir, name)
const envFile = () => parseDotenv(readFileSync(file('app.env')))
const recorded = () => lines(file('record'))
const fingerprint = () => `SIGHUP ${sha256(readFileSync(file('app.env')))}`

function config(extra = ''): string {
  return `watches:
  - project: shop
    environment: dev
    poll-interval: 5
  - project: shop
    environment: prod
    poll-interval: 5
sinks:
  - type: dotenv
    path: app.env
  - type: json
    path: secrets.json
process:
  signal: sighup
  pid-file: app.pid
${extra}`
}

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  dir = mkdtempSync(join(tmpdir(), 'bella-agent-watch-'))
  writeFileSync(file('bella-agent.yaml'), config())
  app = new Program([join(fixtures, 'agent-app.js'), file('app.pid'), file('app.env'), file('record')])
  await app.waitFor(/ready \d+/)
  agent = new AgentProc(['--log-format', 'json'], agentEnv(emulator.url, emulator.apiKeys[0]!.key), dir)
})
afterAll(async () => {
  agent?.cleanup()
  app?.stop()
  await emulator.close()
  rmSync(dir, {recursive: true, force: true})
})

/** Waits until the app has recorded `count` SIGHUPs (it appends right after the signal). */
async function signalsRecorded(count: number): Promise<string[]> {
  for (let i = 0; i < 250 && recorded().length < count; i++) await new Promise((r) => setTimeout(r, 20))
  return recorded()
}

describe('bella agent (long-running)', () => {
  it('start-up: writes both files (0600), then SIGHUPs the app, which already reads the new file', async () => {
    const {event} = await agent.waitForEvent('signalled')
    expect(event).toMatchObject({signal: 'SIGHUP', strategy: 'sighup', pid: app.proc.pid, pidFile: 'app.pid'})
    expect(envFile()).toEqual({DATABASE_URL: VALUES.DATABASE_URL, TRICKY: VALUES.TRICKY, SHARED: VALUES.SHARED_PROD, API_TOKEN: VALUES.API_TOKEN, PROD_ONLY: VALUES.PROD_ONLY})
    expect(JSON.parse(readFileSync(file('secrets.json'), 'utf8'))).toEqual(envFile())
    expect(mode(file('app.env'))).toBe(0o600)
    expect(mode(file('secrets.json'))).toBe(0o600)
    expect(await signalsRecorded(1)).toEqual([fingerprint()])
  }, STEP_MS)

  it('a change on the server rewrites both files, then signals the app, which sees the new content', async () => {
    const mark = agent.events().length
    emulator.setSecrets({project: 'shop', environment: 'dev'}, {set: {ROTATED: LATER.ROTATED}})
    const fetched = await agent.waitForEvent('fetched', {watch: 'shop/dev', changed: true}, mark)
    const signalled = await agent.waitForEvent('signalled', {}, fetched.index)
    // Both sinks were written before the signal.
    const between = agent.events().slice(fetched.index, signalled.index).filter((e) => e.event === 'written')
    expect(between.map((e) => e.sink).sort()).toEqual(['dotenv', 'json'])
    expect(envFile().ROTATED).toBe(LATER.ROTATED)
    expect(JSON.parse(readFileSync(file('secrets.json'), 'utf8')).ROTATED).toBe(LATER.ROTATED)
    const seen = await signalsRecorded(2)
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(fingerprint())
    // Only the changed watch was refetched.
    expect(agent.events().slice(mark).filter((e) => e.event === 'fetched' && e.level === 'info').map((e) => e.watch)).toEqual(['shop/dev'])
  }, STEP_MS)

  it('a version bump with identical values: refetched, compared, no file rewritten (same inode and mtime), no signal', async () => {
    const before = ['app.env', 'secrets.json'].map((f) => statSync(file(f)))
    const mark = agent.events().length
    emulator.setSecrets({project: 'shop', environment: 'prod'}, {bump: true})
    await agent.waitForEvent('fetched', {watch: 'shop/prod', changed: false}, mark)
    await new Promise((r) => setTimeout(r, 300)) // a signal would follow the writes immediately
    const after = ['app.env', 'secrets.json'].map((f) => statSync(file(f)))
    expect(after.map((s) => [s.ino, s.mtimeMs])).toEqual(before.map((s) => [s.ino, s.mtimeMs]))
    expect(agent.events().slice(mark).filter((e) => ['written', 'signalled'].includes(e.event))).toEqual([])
    expect(recorded()).toHaveLength(2)
  }, STEP_MS)

  it('while one watch fails nothing is rewritten and the old files stay; once it answers, the held change is written and signalled', async () => {
    const mark = agent.events().length
    emulator.injectFault({type: 'status', status: 500, count: 'always', pathPrefix: '/api/v1/projects/shop/environments/prod/'})
    const failed = await agent.waitForEvent('fetch-failed', {watch: 'shop/prod'}, mark)
    expect(failed.event).toMatchObject({level: 'warn', kind: 'unreachable'})
    const before = {text: readFileSync(file('app.env'), 'utf8'), ino: statSync(file('app.env')).ino}

    emulator.setSecrets({project: 'shop', environment: 'dev'}, {set: {DURING_OUTAGE: LATER.DURING_OUTAGE}})
    const fetched = await agent.waitForEvent('fetched', {watch: 'shop/dev', changed: true}, failed.index)
    const held = await agent.waitForEvent('held', {}, mark)
    expect(held.event.watches).toEqual(['shop/prod'])
    expect(held.index).toBeLessThan(fetched.index + 2)
    expect(readFileSync(file('app.env'), 'utf8')).toBe(before.text)
    expect(statSync(file('app.env')).ino).toBe(before.ino)
    expect(envFile().DURING_OUTAGE).toBeUndefined()
    expect(recorded()).toHaveLength(2)
    // Said once, not on every failed poll.
    expect(agent.events().slice(mark).filter((e) => e.event === 'fetch-failed' && e.level === 'warn')).toHaveLength(1)

    emulator.clearFaults()
    const recovered = await agent.waitForEvent('recovered', {watch: 'shop/prod'}, fetched.index)
    await agent.waitForEvent('signalled', {}, recovered.index)
    expect(envFile().DURING_OUTAGE).toBe(LATER.DURING_OUTAGE)
    expect(envFile().PROD_ONLY).toBe(VALUES.PROD_ONLY) // the failing watch's keys were never dropped
    const seen = await signalsRecorded(3)
    expect(seen[2]).toBe(fingerprint())
  }, 90_000)

  it('SIGHUP with an invalid config keeps the running one and says why (file:line:col)', async () => {
    writeFileSync(file('bella-agent.yaml'), config('extra: true\n'))
    const mark = agent.events().length
    agent.kill('SIGHUP')
    const {event} = await agent.waitForEvent('reload-rejected', {}, mark)
    expect(event.level).toBe('error')
    expect(event.message).toMatch(/still running the previous config: .*bella-agent\.yaml:16:1: unknown key "extra"/)
    expect(event.problems).toEqual(['bella-agent.yaml:16:1: unknown key "extra" (allowed: watches, sinks, process)'])
    expect(agent.running).toBe(true)
    // Still polling with the old config.
    await new Promise<void>((resolve) => {
      const off = emulator.onRequest((entry) => {
        if (entry.path.endsWith('/secrets/version')) {
          off()
          resolve()
        }
      })
    })
  }, STEP_MS)

  it('SIGHUP with a valid config applies it: watches and sinks replaced, files rewritten, app signalled', async () => {
    writeFileSync(
      file('bella-agent.yaml'),
      'watches:\n  - {project: shop, environment: dev, poll-interval: 5}\nsinks:\n  - {type: dotenv, path: app.env}\n  - {type: yaml, path: conf/secrets.yaml}\nprocess: {signal: sighup, pid-file: app.pid}\n',
    )
    const mark = agent.events().length
    agent.kill('SIGHUP')
    const reloaded = await agent.waitForEvent('reloaded', {}, mark)
    expect(reloaded.event.watches).toEqual(['shop/dev'])
    await agent.waitForEvent('written', {sink: 'yaml'}, reloaded.index)
    await agent.waitForEvent('signalled', {}, reloaded.index)
    expect(envFile().PROD_ONLY).toBeUndefined() // the prod watch is gone
    expect(envFile().SHARED).toBe(VALUES.SHARED_DEV)
    expect(parseYaml(readFileSync(file('conf/secrets.yaml'), 'utf8'))).toEqual(envFile())
    expect(mode(file('conf/secrets.yaml'))).toBe(0o600)
    const seen = await signalsRecorded(4)
    expect(seen[3]).toBe(fingerprint())
  }, STEP_MS)

  it('SIGTERM stops it cleanly: exit 0, no temp files left', async () => {
    agent.kill('SIGTERM')
    const exit = await agent.exit
    expect(exit).toEqual({code: 0, signal: null})
    expect(agent.events().at(-1)).toMatchObject({event: 'stopped', signal: 'SIGTERM'})
    expect(readdirSync(dir).filter((name) => name.includes('.tmp') || name.startsWith('.app'))).toEqual([])
  }, STEP_MS)

  it('said everything on stderr as JSON lines, nothing on stdout, and never a secret value', () => {
    expect(agent.stdout).toBe('')
    expect(() => agent.events()).not.toThrow()
    expect(agent.stderr.endsWith('\n')).toBe(true)
    expect(leaked(agent.stdout + agent.stderr, ALL_VALUES)).toEqual([])
  })
})

describe('bella agent: text log and SIGINT', () => {
  it('prints human lines and stops on SIGINT with exit 0', async () => {
    const textDir = mkdtempSync(join(tmpdir(), 'bella-agent-text-'))
    try {
      writeFileSync(join(textDir, 'bella-agent.yaml'), 'watches: [{project: shop, environment: prod}]\nsinks: [{type: dotenv, path: .env}]\n')
      const text = new AgentProc([], agentEnv(emulator.url, emulator.apiKeys[0]!.key), textDir)
      try {
        await text.waitForText(/bella agent: wrote 2 secrets to .*\.env \(dotenv\)\n/)
        text.kill('SIGINT')
        expect(await text.exit).toEqual({code: 0, signal: null})
        expect(text.stderr).toMatch(/^bella agent: started: watching shop\/prod every 30s; writing dotenv .*\.env\n/)
        expect(text.stderr).toMatch(/bella agent: stopped \(SIGINT\)\n$/)
        for (const line of text.stderr.trim().split('\n')) expect(line).toMatch(/^bella agent: /)
        expect(leaked(text.stderr)).toEqual([])
      } finally {
        text.cleanup()
      }
    } finally {
      rmSync(textDir, {recursive: true, force: true})
    }
  }, STEP_MS)
})
