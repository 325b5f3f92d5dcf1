/**
 * bella-sdk as a user gets it: `npm pack` in packages/sdk, then `npm install` of that tarball into
 * an empty folder outside the clone. The package must need nothing but Node: no dependencies, a
 * bundle that imports only node: built-ins, and types that resolve without any @bella/* package.
 * An app there reads the emulator's secrets over loopback, and a TypeScript file using the types
 * compiles.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Emulator} from '../../../plugins/emulator/src/index.js'
import {repoRoot, runProcess} from '../../../test/helpers/cli.js'
import {npm} from '../../../test/helpers/npm.js'
import {shop, startShop} from './helpers.js'

const sdkDir = join(repoRoot, 'packages', 'sdk')
let work: string
let app: string
let installed: string
let emulator: Emulator

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bella-sdk-package-'))
  app = join(work, 'app')
  mkdirSync(app)
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], sdkDir)) as {filename: string}[]
  writeFileSync(join(app, 'package.json'), JSON.stringify({name: 'sdk-user', private: true, type: 'module'}))
  npm(['install', join(work, packed[0]!.filename)], app)
  installed = join(app, 'node_modules', 'bella-sdk')
  emulator = await startShop()
}, 240_000)

afterAll(async () => {
  await emulator?.close()
  rmSync(work, {recursive: true, force: true})
})

describe('the bella-sdk tarball, installed outside the repository', () => {
  it('has no dependencies, and its bundle imports nothing but node: built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>
    expect(manifest.dependencies).toBeUndefined()
    expect(manifest.optionalDependencies).toBeUndefined()
    expect(readdirSync(join(app, 'node_modules')).sort()).toEqual(['.package-lock.json', 'bella-sdk'])
    const bundle = readFileSync(join(installed, 'dist', 'index.js'), 'utf8')
    const specifiers = [...bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!)
    expect(specifiers.length).toBeGreaterThan(0)
    expect(specifiers.filter((s) => !s.startsWith('node:'))).toEqual([])
    for (const file of readdirSync(join(installed, 'dist')).filter((f) => f.endsWith('.d.ts'))) {
      expect(readFileSync(join(installed, 'dist', file), 'utf8')).not.toContain('@bella/')
    }
  })

  it('an app there reads the emulator\'s secrets, with only BELLA_BAXTER_URL and BELLA_BAXTER_API_KEY set', async () => {
    writeFileSync(
      join(app, 'read.mjs'),
      [
        "import {createBaxterClient, createBellaConfig} from 'bella-sdk'",
        'const client = await createBaxterClient()',
        'const context = await client.discoverContext()',
        'const config = await createBellaConfig({refreshInterval: 30})',
        "console.log(JSON.stringify({context, A: config.get('A'), proto: config.get('__proto__')}))",
        'config.destroy()',
        'client.close()',
      ].join('\n'),
    )
    const r = await runProcess(process.execPath, ['read.mjs'], {cwd: app, env: {BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({context: {...{projectSlug: shop.project, environmentSlug: shop.environment}, role: 'CONSUMER', keyId: expect.any(String)}, A: 'one', proto: 'proto-value'})
  })

  it('its types resolve and check in a strict TypeScript app (NodeNext)', () => {
    writeFileSync(
      join(app, 'typed.ts'),
      [
        "import {createBellaConfig, isBellaError, type SecretChanges} from 'bella-sdk'",
        'const seen: SecretChanges[] = []',
        'const config = await createBellaConfig({refreshInterval: 60, onUpdate: (changes) => void seen.push(changes), onError: (error) => {',
        '  if (isBellaError(error)) console.error(error.code)',
        '}})',
        "const value: string | undefined = config.get('A')",
        "const sure: string = config.getOrThrow('A')",
        'const all: Record<string, string> = config.getAll()',
        'config.destroy()',
        'export {value, sure, all}',
      ].join('\n'),
    )
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', join(repoRoot, 'node_modules', '@types'), '--types', 'node', 'typed.ts']
    expect(() => execFileSync(process.execPath, [tsc, ...args], {cwd: app, encoding: 'utf8', stdio: 'pipe'})).not.toThrow()
  })
})
