/**
 * Slow (20-40 s; runs in CI, never skipped): `bella agent --once` SIGKILLed 50 times in the
 * middle of its writes, end to end (the real bin/run.js against an in-process emulator). A large
 * secrets set makes each write take a moment, and a secret that changes before every start makes
 * every start write. The kill comes the moment the agent's temp file appears (fs.watch on the sink
 * folder), after a delay that varies from cycle to cycle, so it lands at different points of the
 * write: before the data, during it, between the two sinks' renames.
 *
 * After each kill both sink files are complete: they parse (dotenv, JSON.parse) to the whole set,
 * with the changing secret at this cycle's value or an earlier one. After the next start no temp
 * file from an earlier agent is left. Checked through digests: no value is ever printed.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseDotenv} from 'dotenv'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, bellaBin} from '../helpers/cli.js'

const KILLS = 50
/** Bounds of the loop: cycles (a start may finish before the kill comes) and wall-clock time. */
const MAX_CYCLES = 150
const MAX_LOOP_MS = 240_000
const SECRETS = 3000
const TEMP = /^(\.env|secrets\.json)\.bella-(\d+)-[0-9a-f]{12}\.tmp$/

const base: Record<string, string> = {}
for (let i = 0; i < SECRETS; i++) base[`BULK_${String(i).padStart(4, '0')}`] = `${createHash('sha256').update(`bulk ${i}`).digest('hex')} "q" #${i} $x ✓ ${'v'.repeat(40)}`

/** Digest of a parsed file without the changing secret (compared, never printed). */
function digestWithout(parsed: Record<string, string>, name: string): string {
  const hash = createHash('sha256')
  for (const key of Object.keys(parsed).filter((k) => k !== name).sort()) hash.update(`${JSON.stringify(key)}=${JSON.stringify(parsed[key])}\n`)
  return hash.digest('hex')
}
const BASE_DIGEST = digestWithout(base, 'CHANGING')

let emulator: Emulator
let root: string
let dir: string
let watcher: FSWatcher | undefined
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [{name: 'kill key', project: 'kill', environment: 'prod'}],
      projects: [{slug: 'kill', environments: [{slug: 'prod', providers: [{slug: 'vault', secrets: {...base, CHANGING: 'cycle-0'}}]}]}],
    },
  })
  root = mkdtempSync(join(tmpdir(), 'bella-agent-sigkill-'))
  dir = join(root, 'sinks')
  mkdirSync(dir)
  writeFileSync(join(dir, 'bella-agent.yaml'), 'watches:\n  - {project: kill, environment: prod}\nsinks:\n  - {type: dotenv, path: .env}\n  - {type: json, path: secrets.json}\n')
})
afterAll(async () => {
  watcher?.close()
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})

const env = () => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: join(root, 'home'),
  XDG_CONFIG_HOME: join(root, 'home', '.config'),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: emulator.apiKey,
})
const temps = () => readdirSync(dir).filter((name) => TEMP.test(name))

/** What a sink file holds: complete (the whole set), and which cycle's value the changing secret has. */
function check(name: '.env' | 'secrets.json', cycle: number): {cycle: number; complete: boolean} {
  const text = readFileSync(join(dir, name), 'utf8')
  const parsed = name === '.env' ? parseDotenv(text) : (JSON.parse(text) as Record<string, string>)
  const seen = /^cycle-(\d+)$/.exec(parsed['CHANGING'] ?? '')
  const complete = Object.keys(parsed).length === SECRETS + 1 && digestWithout(parsed, 'CHANGING') === BASE_DIGEST && seen !== null && Number(seen[1]) <= cycle
  return {cycle: seen ? Number(seen[1]) : -1, complete}
}

describe('slow: bella agent SIGKILLed during its writes', () => {
  it(`${KILLS} kills: the files always parse complete, and the next start leaves no temp file behind`, async () => {
    // The agent started last, and when to kill it once its first temp file shows up.
    let current: {pid: number; delayMs: number; killed: boolean} | undefined
    watcher = watch(dir, (_type, filename) => {
      const match = filename ? TEMP.exec(filename) : null
      const target = current
      if (!match || !target || target.killed || Number(match[2]) !== target.pid) return
      target.killed = true
      setTimeout(() => {
        try {
          process.kill(target.pid, 'SIGKILL')
        } catch {
          // already gone: it finished first
        }
      }, target.delayMs)
    })

    const started = Date.now()
    let kills = 0
    let cycles = 0
    let tempsLeft = 0
    let previous: string[] = []
    const outcomes = new Set<string>()
    while (kills < KILLS && cycles < MAX_CYCLES && Date.now() - started < MAX_LOOP_MS) {
      cycles++
      emulator.setSecrets({project: 'kill', environment: 'prod'}, {set: {CHANGING: `cycle-${cycles}`}})
      const child = spawn(process.execPath, [bellaBin, 'agent', '--once', '--log-format', 'json'], {cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe']})
      current = {pid: child.pid!, delayMs: (cycles * 3) % 10, killed: false}
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const exit = await new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
        const bound = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.once('close', (code, signal) => {
          clearTimeout(bound)
          resolve({code, signal})
        })
      })
      if (exit.signal === 'SIGKILL') kills++
      // Not killed: it must have finished its job.
      else expect([cycles, exit.code, stderr.includes('"event":"error"')]).toEqual([cycles, 0, false])

      // The temp files of the agent before this one were removed when this one started.
      expect(readdirSync(dir).filter((name) => previous.includes(name))).toEqual([])
      previous = temps()
      if (previous.length > 0) tempsLeft++
      for (const name of ['.env', 'secrets.json'] as const) {
        if (!existsSync(join(dir, name))) continue // killed before its very first rename
        const {cycle, complete} = check(name, cycles)
        expect([name, cycles, complete]).toEqual([name, cycles, true])
        outcomes.add(`${name}:${cycle === cycles ? 'new' : 'old'}`)
      }
    }
    watcher.close()

    expect(kills).toBe(KILLS)
    // The kills did land inside writes: some left a temp file, and some left the previous content.
    expect(tempsLeft).toBeGreaterThan(0)
    expect([...outcomes].filter((o) => o.endsWith(':old')).length).toBeGreaterThan(0)

    // One more start, left to finish: every stale temp file goes, both files get the latest set.
    const last = await bella(['agent', '--once', '--log-format', 'json'], {cwd: dir, env: env(), timeoutMs: 30_000})
    expect(last.code).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(['.env', 'bella-agent.yaml', 'secrets.json'])
    expect([check('.env', cycles), check('secrets.json', cycles)]).toEqual([
      {cycle: cycles, complete: true},
      {cycle: cycles, complete: true},
    ])
  }, 300_000)
})
