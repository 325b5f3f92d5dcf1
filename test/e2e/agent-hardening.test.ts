/**
 * `bella agent --once` and secrets responses or values it must not write: the real bin/run.js
 * against an emulator of its own (test/fixtures/agent-harness.ts seed). Every test first checks
 * that no value reached bella's output, so a failing expectation can never print one.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {parse as parseDotenv} from 'dotenv'
import {parse as parseYaml} from 'yaml'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {agentEnv, agentSeed, leaked} from '../fixtures/agent-harness.js'
import {bella} from '../helpers/cli.js'

let emulator: Emulator
let root: string
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed: agentSeed()})
  root = mkdtempSync(join(tmpdir(), 'bella-agent-hardening-'))
})
afterAll(async () => {
  await emulator.close()
  rmSync(root, {recursive: true, force: true})
})
beforeEach(() => emulator.clearFaults())

const SINKS = 'sinks:\n  - {type: dotenv, path: .env}\n  - {type: json, path: secrets.json}\n  - {type: yaml, path: secrets.yaml}\n'
let counter = 0
/** A fresh folder with a bella-agent.yaml writing all three sinks from `watches`. */
function project(watches: string): string {
  const dir = join(root, `p${++counter}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'bella-agent.yaml'), `watches:\n${watches}${SINKS}`)
  return dir
}
const once = (dir: string) => bella(['agent', '--once'], {cwd: dir, env: agentEnv(emulator.url, emulator.apiKeys[0]!.key)})

describe('bella agent --once: a malformed secrets response', () => {
  it.each(['secrets-null', 'secrets-array', 'secrets-missing', 'value-not-string'] as const)(
    'with %s is an API error (exit 4) naming the endpoint; no file is rewritten',
    async (mode) => {
      const dir = project('  - {project: shop, environment: dev}\n')
      writeFileSync(join(dir, '.env'), 'OLD=1\n')
      emulator.injectFault({type: 'payload', mode, count: 'always'})
      const r = await once(dir)
      expect(leaked(r.stdout + r.stderr)).toEqual([])
      expect(r.code).toBe(4)
      expect(r.stderr).toContain('/api/v1/projects/shop/environments/dev/secrets')
      expect(r.stderr).toContain('malformed')
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('OLD=1\n')
      expect(existsSync(join(dir, 'secrets.json'))).toBe(false)
    },
  )

  it('from a provider watch is refused the same way', async () => {
    const dir = project('  - {project: shop, environment: dev, provider: aws-dev}\n')
    emulator.injectFault({type: 'payload', mode: 'secrets-null', count: 'always'})
    const r = await once(dir)
    expect(leaked(r.stdout + r.stderr)).toEqual([])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('/providers/aws-dev/secrets')
    expect(existsSync(join(dir, '.env'))).toBe(false)
  })
})

describe('bella agent --once: values sealed at rest', () => {
  it('writes no sealed value to any sink and warns naming the secret, never the value', async () => {
    const value = `bellabaxter:v2:${Buffer.from('sealed-at-rest-value').toString('base64')}`
    emulator.setSecrets({project: 'shop', environment: 'dev', provider: 'vault-dev'}, {set: {SEALED_KEY: value}})
    try {
      for (const watch of ['  - {project: shop, environment: dev}\n', '  - {project: shop, environment: dev, provider: vault-dev}\n']) {
        const dir = project(watch)
        const r = await once(dir)
        expect(leaked(r.stdout + r.stderr, {SEALED_KEY: value})).toEqual([])
        expect(r.code).toBe(0)
        expect(r.stderr).toMatch(/Warning: .*SEALED_KEY.*sealed/)
        for (const file of ['.env', 'secrets.json', 'secrets.yaml']) {
          const text = readFileSync(join(dir, file), 'utf8')
          expect(text).not.toContain('bellabaxter:v')
          expect(text).toContain('DATABASE_URL')
        }
        expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).not.toHaveProperty('SEALED_KEY')
      }
    } finally {
      emulator.setSecrets({project: 'shop', environment: 'dev'}, {unset: ['SEALED_KEY']})
    }
  })
})

describe('bella agent --once: names are data', () => {
  const odd = Object.fromEntries([['__proto__', 'proto-value-1'], ['constructor', 'ctor-value-2'], ['toString', 'tostring-value-3']])
  const withOdd = async (body: () => Promise<void>) => {
    emulator.setSecrets({project: 'shop', environment: 'dev', provider: 'vault-dev'}, {set: odd})
    try {
      await body()
    } finally {
      emulator.setSecrets({project: 'shop', environment: 'dev'}, {unset: Object.keys(odd)})
    }
  }
  const own = (parsed: object, name: string) => Object.getOwnPropertyDescriptor(parsed, name)?.value

  it('writes secrets named __proto__, constructor and toString to the json and yaml sinks', () =>
    withOdd(async () => {
      const dir = join(root, `p${++counter}`)
      mkdirSync(dir)
      writeFileSync(join(dir, 'bella-agent.yaml'), 'watches: [{project: shop, environment: dev}]\nsinks: [{type: json, path: s.json}, {type: yaml, path: s.yaml}]\n')
      const r = await once(dir)
      expect(leaked(r.stdout + r.stderr, odd)).toEqual([])
      expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('error')])
      const json = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as object
      const yaml = parseYaml(readFileSync(join(dir, 's.yaml'), 'utf8')) as object
      for (const [name, value] of Object.entries(odd)) {
        expect(['json', name, own(json, name)]).toEqual(['json', name, value])
        expect(['yaml', name, own(yaml, name)]).toEqual(['yaml', name, value])
      }
    }))

  it('writes constructor and toString to a dotenv file; __proto__, which dotenv parsers drop, is refused by name, never skipped', () =>
    withOdd(async () => {
      const dir = project('  - {project: shop, environment: dev}\n')
      const r = await once(dir)
      expect(leaked(r.stdout + r.stderr, odd)).toEqual([])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('secret "__proto__" cannot be written to a .env file')
      expect(existsSync(join(dir, '.env'))).toBe(false)
      // The json and yaml sinks of the same config did get all three.
      expect(own(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as object, '__proto__')).toBe('proto-value-1')

      emulator.setSecrets({project: 'shop', environment: 'dev'}, {unset: ['__proto__']})
      const again = await once(dir)
      expect([again.code, again.stderr]).toEqual([0, expect.not.stringContaining('error')])
      const dotenv = parseDotenv(readFileSync(join(dir, '.env')))
      expect([own(dotenv, 'constructor'), own(dotenv, 'toString')]).toEqual(['ctor-value-2', 'tostring-value-3'])
    }))
})
