/**
 * `bella agent` when the sink folder's file system fills up or turns read-only, end to end: the
 * real bin/run.js (long-running, --log-format json) against an in-process emulator, with its sink
 * folder a 16 KiB tmpfs mounted in a private mount namespace of its own (os-tools.ts). The test
 * reaches that folder through /proc/PID/root; the mount goes away with the agent, so nothing leaks.
 *
 * In order, on one agent: written; disk full → the files stay byte for byte, the failure is
 * reported naming each file, never a value, and no temp file is left; room again → rewritten;
 * read-only → same; writable again → rewritten.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {AgentProc, leaked, sha256} from '../fixtures/agent-harness.js'
import {inPrivateTmpfs, itWithPrivateMounts, remount} from '../helpers/os-tools.js'

const itMounts = itWithPrivateMounts('agent-disk-faults')
const VALUES = {
  DATABASE_URL: 'postgres://disk:pw-Zq81xK@db.internal:5432/disk',
  ROTATING: 'rotating-first-4c5d6e',
  AFTER_FULL: 'rotating-after-full-8a9b0c',
  AFTER_RO: 'rotating-after-readonly-1d2e3f',
}

let emulator: Emulator
let root: string
let agent: AgentProc | undefined
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [{name: 'disk key', project: 'disk', environment: 'prod'}],
      projects: [{slug: 'disk', environments: [{slug: 'prod', providers: [{slug: 'vault', secrets: {DATABASE_URL: VALUES.DATABASE_URL, ROTATING: VALUES.ROTATING}}]}]}],
    },
  })
  root = mkdtempSync(join(tmpdir(), 'bella-agent-disk-'))
})
afterAll(async () => {
  agent?.cleanup()
  if (agent) await agent.exit
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

describe('bella agent: a sink folder that fills up or turns read-only', () => {
  itMounts('keeps the old files byte for byte, reports each file (never a value), and rewrites them once it can', async () => {
    const vol = join(root, 'vol')
    mkdirSync(vol)
    writeFileSync(join(root, 'bella-agent.yaml'), 'watches:\n  - {project: disk, environment: prod, poll-interval: 5}\nsinks:\n  - {type: dotenv, path: vol/.env}\n  - {type: json, path: vol/secrets.json}\n')
    const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'home', '.config')}
    agent = new AgentProc(['--log-format', 'json'], {...env, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}, root, inPrivateTmpfs(vol, 16))
    const a = agent
    const targets = [join(vol, '.env'), join(vol, 'secrets.json')]
    // The agent's view of its tmpfs (the same path outside the namespace is an empty folder).
    const view = (name = '') => join(`/proc/${a.pid}/root`, vol, name)
    const bytes = () => targets.map((target) => sha256(readFileSync(view(target.slice(vol.length + 1)))))
    const both = async (event: string, after: number) => {
      const found = await Promise.all(targets.map((target) => a.waitFor((e) => e.event === event && e['target'] === target, after)))
      return {events: found.map((f) => f.event), index: Math.max(...found.map((f) => f.index))}
    }
    const noValues = () => expect(leaked(a.stdout + a.stderr, VALUES)).toEqual([])
    const secrets = () => [parseDotenv(readFileSync(view('.env'))), JSON.parse(readFileSync(view('secrets.json'), 'utf8')) as Record<string, string>]

    let seen = await both('written', 0)
    expect(readdirSync(vol)).toEqual([]) // the mount is private: nothing outside sees it
    expect(secrets()).toEqual([{DATABASE_URL: VALUES.DATABASE_URL, ROTATING: VALUES.ROTATING}, {DATABASE_URL: VALUES.DATABASE_URL, ROTATING: VALUES.ROTATING}])

    // Disk full: fill every page that is left, then change a secret.
    try {
      for (let i = 0; i < 64; i++) appendFileSync(view('filler'), Buffer.alloc(1024, 1))
      throw new Error('the 16 KiB tmpfs never filled up')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
    }
    const before = bytes()
    emulator.setSecrets({project: 'disk', environment: 'prod'}, {set: {ROTATING: VALUES.AFTER_FULL}})
    const full = await both('write-failed', seen.index + 1)
    noValues()
    full.events.forEach((event, i) => {
      expect(event.level).toBe('error')
      expect(event.message).toContain(`could not write ${targets[i]}`)
      expect(event.message).toContain('no space left on device (ENOSPC)')
      expect(event.message).toContain('it keeps its previous content')
    })
    expect(bytes()).toEqual(before)
    expect(readdirSync(view()).sort()).toEqual(['.env', 'filler', 'secrets.json'])

    // Room again: the next poll writes the change it held.
    rmSync(view('filler'))
    seen = await both('written', full.index + 1)
    noValues()
    expect(secrets().map((s) => s['ROTATING'])).toEqual([VALUES.AFTER_FULL, VALUES.AFTER_FULL])

    // Read-only (chmod does not stop root; a read-only remount does).
    remount(a.pid, vol, 'ro')
    const written = bytes()
    emulator.setSecrets({project: 'disk', environment: 'prod'}, {set: {ROTATING: VALUES.AFTER_RO}})
    const readOnly = await both('write-failed', seen.index + 1)
    noValues()
    readOnly.events.forEach((event, i) => {
      expect(event.message).toContain(`could not write ${targets[i]}`)
      expect(event.message).toContain('read-only file system (EROFS)')
    })
    expect(bytes()).toEqual(written)
    expect(readdirSync(view()).sort()).toEqual(['.env', 'secrets.json'])

    // Writable again: rewritten, and the agent kept running throughout.
    remount(a.pid, vol, 'rw')
    await both('written', readOnly.index + 1)
    noValues()
    expect(secrets().map((s) => s['ROTATING'])).toEqual([VALUES.AFTER_RO, VALUES.AFTER_RO])
    expect(readdirSync(view()).sort()).toEqual(['.env', 'secrets.json'])
    expect(a.running).toBe(true)
  }, 120_000)
})
