/**
 * The npm package as a user gets it: `npm pack` at the root, `npm install -g` of that tarball into
 * an empty prefix, then the installed `bella` run from a folder outside the clone, with a private
 * HOME and no workspace on any path. It must need nothing but Node and its declared dependencies.
 * The plugin SDK is packed and installed the same way, and the third-party example sink
 * (examples/plugins/sink-ini) is installed into that bella with `bella plugins`.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {repoRoot, runProcess, startEmulatorProcess, type CliResult} from '../helpers/cli.js'
import {npm} from '../helpers/npm.js'

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version
const example = join(repoRoot, 'examples', 'plugins', 'sink-ini')
const brokenPlugins = join(repoRoot, 'test', 'fixtures', 'plugins')

let work: string
let prefix: string
let installed: string
let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>


/** A user's environment: node on PATH, nothing of the clone, private HOME and XDG folders. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: join(work, 'home'),
    XDG_CONFIG_HOME: join(work, 'home', '.config'),
    XDG_DATA_HOME: join(work, 'home', '.local', 'share'),
    XDG_CACHE_HOME: join(work, 'home', '.cache'),
    BELLA_CREDENTIAL_STORE: 'file',
    ...extra,
  }
}

const apiEnv = () => userEnv({BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})

function bellaInstalled(args: string[], options: {env?: Record<string, string>; cwd?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  return runProcess(installed, args, {env: options.env ?? apiEnv(), cwd: options.cwd ?? join(work, 'app'), timeoutMs: options.timeoutMs ?? 60_000})
}

function freshDir(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir, {recursive: true})
  return dir
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bella-npm-package-'))
  prefix = join(work, 'prefix')
  mkdirSync(join(work, 'home'), {recursive: true})
  mkdirSync(join(work, 'app'))
  const packs = freshDir('packs')
  // `npm pack` runs the package's prepare script: a full build and the oclif manifest.
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', packs], repoRoot)) as {filename: string}[]
  npm(['install', '-g', '--prefix', prefix, join(packs, packed[0]!.filename)], work)
  installed = join(prefix, 'bin', 'bella')
  emulator = await startEmulatorProcess(installed, [], userEnv())
}, 240_000)

afterAll(async () => {
  await emulator?.stop()
  rmSync(work, {recursive: true, force: true})
})

describe('the npm package, installed from its tarball into an empty prefix', () => {
  it('holds only the bundle: no workspace package and no dev tool is installed with it', () => {
    const root = join(prefix, 'lib', 'node_modules', 'bella-cli')
    expect(readdirSync(root).sort()).toEqual(['README.md', 'bin', 'dist', 'node_modules', 'oclif.manifest.json', 'package.json'].filter((f) => existsSync(join(root, f))))
    expect(readdirSync(join(root, 'dist'))).toEqual(['cli'])
    expect(existsSync(join(root, 'node_modules', '@bella'))).toBe(false)
    for (const dev of ['typescript', 'jest', 'esbuild', 'oclif', 'pg', 'yaml']) expect(existsSync(join(root, 'node_modules', dev))).toBe(false)
    expect(existsSync(join(root, 'node_modules', '@oclif', 'core'))).toBe(true)
  })

  it('--version and --help', async () => {
    const v = await bellaInstalled(['--version'], {env: userEnv()})
    expect(v).toMatchObject({code: 0, stderr: ''})
    expect(v.stdout).toBe(`bella-cli/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
    const help = await bellaInstalled(['--help'], {env: userEnv()})
    expect(help.code).toBe(0)
    for (const command of ['run', 'agent', 'exec', 'issue', 'login', 'whoami', 'emulator', 'plugins', 'api-keys']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
  })

  it('emulator, then run -- CMD with the secrets, from a folder outside the clone', async () => {
    const r = await bellaInstalled(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.LOG_LEVEL + " " + ("DATABASE_URL" in process.env))'])
    expect(r).toMatchObject({code: 0, stdout: 'debug true'})
  })

  it('run --watch starts the command and mirrors its exit status', async () => {
    const r = await bellaInstalled(['run', '--watch', '--', process.execPath, '-e', 'process.exit(7)'])
    expect(r.code).toBe(7)
  })

  it('agent --once writes its sinks (yaml, loaded lazily from the bundle)', async () => {
    const dir = freshDir('agent')
    writeFileSync(join(dir, 'bella-agent.yaml'), 'watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: dotenv\n    path: ./.env\n  - type: yaml\n    path: ./secrets.yaml\n')
    const r = await bellaInstalled(['agent', '--once'], {cwd: dir})
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^LOG_LEVEL=/m)
    expect(readFileSync(join(dir, 'secrets.yaml'), 'utf8')).toMatch(/^LOG_LEVEL: /m)
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600)
  })

  it('exec passes the URL and key for an app that uses an SDK', async () => {
    const r = await bellaInstalled(['exec', '--', process.execPath, '-e', 'process.stdout.write(String(process.env.BELLA_BAXTER_URL))'])
    expect(r).toMatchObject({code: 0, stdout: emulator.url})
  })

  it('plugins lists none at first', async () => {
    const r = await bellaInstalled(['plugins'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('No plugins installed.')
  })
})

describe('a third-party sink (examples/plugins/sink-ini) in the installed bella', () => {
  const agentConfig = 'watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: ini\n    path: ./secrets.ini\n'

  async function expectIniSinkWorks(dir: string) {
    writeFileSync(join(dir, 'bella-agent.yaml'), agentConfig)
    const r = await bellaInstalled(['agent', '--once'], {cwd: dir})
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, 'secrets.ini'), 'utf8')).toMatch(/^\[secrets\]\nDATABASE_URL = "/)
    expect(statSync(join(dir, 'secrets.ini')).mode & 0o777).toBe(0o600)
  }

  it('passes core\'s contract checks, run from the packed plugin SDK', async () => {
    const sdkDir = freshDir('sdk')
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', sdkDir, '--workspace', 'packages/plugin-sdk'], repoRoot)) as {filename: string}[]
    const consumer = freshDir('sdk-consumer')
    writeFileSync(join(consumer, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true,"type":"module"}\n')
    npm(['install', join(sdkDir, packed[0]!.filename)], consumer)
    const installedSdk = join(consumer, 'node_modules', 'bella-plugin-sdk')
    expect(readdirSync(join(installedSdk, 'dist')).sort()).toEqual(['core', 'index.d.ts', 'index.js'])
    expect(existsSync(join(consumer, 'node_modules', '@bella'))).toBe(false)
    const sdk = (await import(pathToFileURL(join(installedSdk, 'dist', 'index.js')).href)) as typeof import('../../packages/core/src/testing/index.js')
    const plugin = (await import(pathToFileURL(join(example, 'index.js')).href)) as {registerSinks: Parameters<typeof sdk.sinkContractChecks>[0]}
    const checks = sdk.sinkContractChecks(plugin.registerSinks, {fileName: 'secrets.ini'})
    expect(checks.length).toBeGreaterThan(3)
    for (const check of checks) await expect(check.run()).resolves.toBeUndefined()
  })

  it('bella plugins install file:<tarball>: listed, used by agent --once, no warning; uninstall removes it', async () => {
    const packs = freshDir('plugin-pack')
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', packs], example)) as {filename: string}[]
    // oclif reads a bare path as a GitHub slug; a `file:` spec goes to npm as it is.
    const install = await bellaInstalled(['plugins', 'install', `file:${join(packs, packed[0]!.filename)}`], {timeoutMs: 120_000})
    expect(install.code).toBe(0)
    expect(install.stderr).not.toMatch(/transpile|warning/i)
    const listed = await bellaInstalled(['plugins'])
    expect(listed.stdout).toContain('bella-sink-ini')
    await expectIniSinkWorks(freshDir('installed-plugin'))
    const uninstall = await bellaInstalled(['plugins', 'uninstall', 'bella-sink-ini'])
    expect(uninstall.code).toBe(0)
    expect((await bellaInstalled(['plugins'])).stdout).not.toContain('bella-sink-ini')
    const dir = freshDir('after-uninstall')
    writeFileSync(join(dir, 'bella-agent.yaml'), agentConfig)
    const gone = await bellaInstalled(['agent', '--once'], {cwd: dir})
    expect(gone.code).toBe(2)
    expect(gone.stderr).toContain('unknown sink type "ini"')
  }, 180_000)

  it('bella plugins link <dir>: works without a warning; unlink removes it', async () => {
    const link = await bellaInstalled(['plugins', 'link', '--no-install', example])
    expect(link.code).toBe(0)
    expect(link.stderr).not.toMatch(/transpile|warning/i)
    await expectIniSinkWorks(freshDir('linked-plugin'))
    const dir = freshDir('linked-plugin-quiet')
    writeFileSync(join(dir, 'bella-agent.yaml'), agentConfig)
    const r = await bellaInstalled(['agent', '--once'], {cwd: dir})
    expect(r.stderr).not.toMatch(/transpile|Warning/i)
    expect((await bellaInstalled(['plugins', 'unlink', 'bella-sink-ini'])).code).toBe(0)
    expect((await bellaInstalled(['plugins'])).stdout).not.toContain('bella-sink-ini')
  })

  it('a broken plugin is named in a clear warning, and every other command keeps working', async () => {
    for (const name of ['bella-broken-at-load', 'bella-takes-dotenv']) {
      expect((await bellaInstalled(['plugins', 'link', '--no-install', join(brokenPlugins, name)])).code).toBe(0)
    }
    try {
      const dir = freshDir('broken-plugins')
      writeFileSync(join(dir, 'bella-agent.yaml'), 'watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: dotenv\n    path: ./.env\n')
      const r = await bellaInstalled(['agent', '--once'], {cwd: dir})
      expect(r.code).toBe(0)
      expect(r.stderr).toContain('plugin bella-broken-at-load failed to register its strategies, so they are unavailable: broken-at-load: this plugin is broken on purpose')
      expect(r.stderr).toContain('plugin bella-takes-dotenv failed to register its strategies, so they are unavailable: sink strategy "dotenv" is provided by both @bella/sink-dotenv and bella-takes-dotenv')
      // The built-in dotenv sink kept its name: the impostor wrote nothing.
      expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^LOG_LEVEL=/m)
      const run = await bellaInstalled(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.LOG_LEVEL)'])
      expect(run).toMatchObject({code: 0, stdout: 'debug'})
      expect((await bellaInstalled(['--version'])).code).toBe(0)
    } finally {
      for (const name of ['bella-broken-at-load', 'bella-takes-dotenv']) await bellaInstalled(['plugins', 'unlink', name])
    }
  }, 60_000)
})
