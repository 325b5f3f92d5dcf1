// `bella agent --once --explain` against the emulator: per watch and per sink, names and
// providers; no file written, no value printed.
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentEnv, agentSeed, leaked, threeWatches} from '../fixtures/agent-harness.js'
import {bella} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

let emulator: Emulator
let key: string
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  key = emulator.apiKeys[0]!.key
})
afterAll(() => emulator.close())


function project(): string {
  const dir = testTempDir('bella-agent-explain-')
  writeFileSync(join(dir, 'bella-agent.yaml'), threeWatches)
  return dir
}

const explain = (dir: string, args: string[] = []) => bella(['agent', '--once', '--explain', ...args], {cwd: dir, env: agentEnv(emulator.url, key)})

describe('bella agent --once --explain', () => {
  it('lists per watch each name and its provider, the collisions and each sink, and writes no file', async () => {
    const dir = project()
    const r = await explain(dir)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(leaked(r.stdout + r.stderr)).toEqual([])
    expect(existsSync(join(dir, 'out'))).toBe(false)
    expect(readdirSync(dir)).toEqual(['bella-agent.yaml'])
    expect(r.stderr).toContain('no file is written and no process signalled')
    expect(r.stderr).toContain('bella: watch shop/dev: 4 names')
    expect(r.stderr).toMatch(/^ {2}DATABASE_URL +vault-dev +would be written$/m)
    expect(r.stderr).toMatch(/^ {2}API_TOKEN +aws-dev +would be written$/m)
    expect(r.stderr).toContain('bella: watch shop/prod: 2 names')
    expect(r.stderr).toMatch(/^ {2}PROD_ONLY +vault-prod +would be written$/m)
    expect(r.stderr).toContain('bella: SHARED is defined by watches shop/dev, shop/prod: shop/prod wins')
    expect(r.stderr).toMatch(/^bella: API_TOKEN is defined by watches shop\/dev, shop\/dev provider .+: shop\/dev provider .+ wins$/m)
    expect(r.stderr).toMatch(/^bella: sink .*out\/\.env \(dotenv\) would hold 5 names: DATABASE_URL, TRICKY, SHARED, API_TOKEN, PROD_ONLY$/m)
    expect(r.stderr).toMatch(/^bella: sink .*\/secrets\.json \(json\) would hold 5 names/m)
    expect(r.stderr).toMatch(/^bella: sink .*\/secrets\.yaml \(yaml\) would hold 5 names/m)
  })

  it('leaves stale temp files of the sinks alone (the real agent removes them)', async () => {
    const dir = project()
    mkdirSync(join(dir, 'out'))
    // A temp file of a bella that is gone (pid_max - 1).
    const stale = '.env.bella-4194303-0123456789ab.tmp'
    writeFileSync(join(dir, 'out', stale), 'partial')
    const r = await explain(dir)
    expect(r.code).toBe(0)
    expect(readdirSync(join(dir, 'out'))).toEqual([stale])
    // …which a real pass does remove.
    const real = await bella(['agent', '--once'], {cwd: dir, env: agentEnv(emulator.url, key)})
    expect(real.code).toBe(0)
    expect(readdirSync(join(dir, 'out'))).not.toContain(stale)
  })

  it('--json gives the same as data on stdout', async () => {
    const dir = project()
    const r = await explain(dir, ['--json'])
    expect(r.code).toBe(0)
    expect(leaked(r.stdout + r.stderr)).toEqual([])
    expect(existsSync(join(dir, 'out'))).toBe(false)
    const data = JSON.parse(r.stdout)
    expect(data).toMatchObject({command: 'agent', config: 'bella-agent.yaml', written: false})
    expect(data.watches.map((w: {label: string; provider: string | null}) => w.provider)).toEqual([null, null, 'aws-dev'])
    expect(data.watches[0].providers).toEqual([
      {slug: 'vault-dev', name: 'vault-dev', type: 'vault', count: 3},
      {slug: 'aws-dev', name: 'AWS Secrets Manager (dev)', type: 'aws', count: 1},
    ])
    expect(data.watches[0].secrets).toContainEqual({name: 'API_TOKEN', provider: 'aws-dev', providers: ['aws-dev'], included: true})
    expect(data.collisions).toContainEqual({name: 'SHARED', watches: ['shop/dev', 'shop/prod'], winner: 'shop/prod'})
    expect(data.sinks).toHaveLength(3)
    expect(data.sinks[0]).toMatchObject({type: 'dotenv', names: ['DATABASE_URL', 'TRICKY', 'SHARED', 'API_TOKEN', 'PROD_ONLY']})
  })

  it('--explain needs --once and is not for --fallback-only; --json needs --explain', async () => {
    const dir = project()
    const alone = await bella(['agent', '--explain'], {cwd: dir, env: agentEnv(emulator.url, key)})
    expect(alone.code).toBe(2)
    expect(alone.stderr).toContain('--explain only applies with --once')
    const json = await bella(['agent', '--once', '--json'], {cwd: dir, env: agentEnv(emulator.url, key)})
    expect(json.code).toBe(2)
    const offline = await bella(['agent', '--once', '--explain', '--fallback-only'], {cwd: dir, env: agentEnv(emulator.url, key)})
    expect(offline.code).toBe(2)
    expect(offline.stderr).toContain('cannot also be provided when using --explain')
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })
})
