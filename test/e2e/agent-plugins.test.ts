/**
 * A third-party sink works without touching core: `bella plugins link` a small plain-JS plugin
 * (examples/plugins/sink-ini, a `bella:sinks` hook registering "ini") and use it as
 * `type: ini` in an agent config. Everything happens under a private HOME and XDG folders, so
 * the real user's plugins are never touched; `--no-install` keeps the link offline (the fixture has
 * no dependencies anyway).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentSeed, leaked, mode, VALUES} from '../fixtures/agent-harness.js'
import {bella, repoRoot} from '../helpers/cli.js'

const plugin = join(repoRoot, 'examples', 'plugins', 'sink-ini')

let emulator: Emulator
let home: string
let work: string

/** HOME and every XDG folder oclif uses (data: installed/linked plugins; cache; config). */
const isolated = (base: string) => ({
  HOME: base,
  XDG_DATA_HOME: join(base, 'data'),
  XDG_CACHE_HOME: join(base, 'cache'),
  XDG_CONFIG_HOME: join(base, 'config'),
})

beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  home = mkdtempSync(join(tmpdir(), 'bella-plugins-home-'))
  work = mkdtempSync(join(tmpdir(), 'bella-plugins-work-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(home, {recursive: true, force: true})
  rmSync(work, {recursive: true, force: true})
})

const env = (base: string) => ({...isolated(base), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKeys[0]!.key})
const config = 'watches:\n  - project: shop\n    environment: prod\nsinks:\n  - type: ini\n    path: out/secrets.ini\n  - type: json\n    path: out/secrets.json\n'

describe('a third-party sink plugin', () => {
  it('is unknown before it is linked (exit 2, the installed sinks listed)', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'bella-plugins-fresh-'))
    try {
      const dir = join(work, 'before')
      mkdirSync(dir)
      writeFileSync(join(dir, 'bella-agent.yaml'), config)
      const r = await bella(['agent', '--once'], {cwd: dir, env: env(fresh)})
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('bella-agent.yaml:5:11: sinks[0].type: unknown sink type "ini" (allowed: dotenv, json, shell, yaml; a plugin can add more')
    } finally {
      rmSync(fresh, {recursive: true, force: true})
    }
  })

  it('once linked, `type: ini` works in an agent config, next to the built-in sinks', async () => {
    const link = await bella(['plugins', 'link', '--no-install', plugin], {env: env(home)})
    expect(link.code).toBe(0)
    // Recorded in the private data folder only.
    const manifest = JSON.parse(readFileSync(join(home, 'data', 'bella', 'package.json'), 'utf8'))
    expect(manifest.oclif.plugins).toEqual([expect.objectContaining({name: 'bella-sink-ini', type: 'link', root: plugin})])
    expect(existsSync(join(plugin, 'node_modules'))).toBe(false)
    const listed = await bella(['plugins'], {env: env(home)})
    expect(listed.stdout).toContain('bella-sink-ini')

    const dir = join(work, 'linked')
    mkdirSync(dir)
    writeFileSync(join(dir, 'bella-agent.yaml'), config)
    const r = await bella(['agent', '--once', '--log-format', 'json'], {cwd: dir, env: env(home)})
    expect(leaked(r.stdout + r.stderr)).toEqual([])
    expect(r.code).toBe(0)
    const written = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {event: string; sink?: string; target?: string})
      .filter((e) => e.event === 'written')
    expect(written.map((e) => e.sink)).toEqual(['ini', 'json'])
    expect(readFileSync(join(dir, 'out', 'secrets.ini'), 'utf8')).toBe(
      `[secrets]\nPROD_ONLY = ${JSON.stringify(VALUES.PROD_ONLY)}\nSHARED = ${JSON.stringify(VALUES.SHARED_PROD)}\n`,
    )
    expect(mode(join(dir, 'out', 'secrets.ini'))).toBe(0o600)

    // Its option checks are reported like any sink's, at the option's position.
    writeFileSync(join(dir, 'bad.yaml'), 'watches: [{project: shop, environment: prod}]\nsinks:\n  - type: ini\n    file: x\n')
    const bad = await bella(['agent', '--once', '-c', 'bad.yaml'], {cwd: dir, env: env(home)})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('bad.yaml:4:11: sinks[0]: the ini sink refused its options: unknown option "file" (the ini sink takes only: path, mode)')
  })
})
