/**
 * The single binary (dist/binary/bella, `npm run build:binary`) as a user runs it: copied into an
 * empty folder outside the clone and run from there, with a PATH that has /bin/sh and a few tools
 * but no node (this machine's /usr/bin has node, so PATH is a folder of symlinks), a private HOME
 * and no keychain. Every command runs, the emulator included.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {repoRoot, runProcess, startEmulatorProcess, type CliResult} from '../helpers/cli.js'

const built = join(repoRoot, 'dist', 'binary', 'bella')
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version

let work: string
let binary: string
let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>

function baseEnv(): Record<string, string> {
  return {PATH: join(work, 'path'), HOME: join(work, 'home'), XDG_CONFIG_HOME: join(work, 'home', '.config')}
}
const apiEnv = () => ({...baseEnv(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey})

function run(args: string[], options: {env?: Record<string, string>; cwd?: string; input?: string} = {}): Promise<CliResult> {
  return runProcess(binary, args, {env: options.env ?? apiEnv(), cwd: options.cwd ?? join(work, 'app'), input: options.input, timeoutMs: 30_000})
}

function freshDir(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir, {recursive: true})
  return dir
}

beforeAll(async () => {
  if (!existsSync(built)) throw new Error(`${built} does not exist: run \`npm run build:binary\` (npm test does) before this suite`)
  work = mkdtempSync(join(tmpdir(), 'bella-binary-'))
  for (const dir of ['bin', 'path', 'home', 'app']) mkdirSync(join(work, dir))
  binary = join(work, 'bin', 'bella')
  copyFileSync(built, binary)
  chmodSync(binary, 0o755)
  for (const tool of ['sh', 'env', 'cat']) {
    const source = ['/usr/bin', '/bin'].map((dir) => join(dir, tool)).find((path) => existsSync(path))
    if (source) symlinkSync(source, join(work, 'path', tool))
  }
  emulator = await startEmulatorProcess(binary, [], baseEnv())
}, 30_000)

afterAll(async () => {
  await emulator?.stop()
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('the single binary, from an empty folder with no node on PATH', () => {
  it('no node is reachable from the PATH it runs with', async () => {
    const r = await run(['run', '--', 'sh', '-c', 'command -v node || echo none'])
    expect(r).toMatchObject({code: 0, stdout: 'none\n'})
  })

  it('--version (built-in package identity) and --help listing every command', async () => {
    const v = await run(['--version'], {env: baseEnv()})
    expect(v).toMatchObject({code: 0, stdout: `bella-cli/${version} ${process.platform}-${process.arch} node-${process.version}\n`, stderr: ''})
    const help = await run(['--help'], {env: baseEnv()})
    expect(help.code).toBe(0)
    for (const command of ['run', 'agent', 'exec', 'issue', 'login', 'logout', 'whoami', 'emulator', 'plugins', 'api-keys']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    expect(help.stderr).toBe('')
  })

  it('-v, version, -h on a command and autocomplete, as in the npm package', async () => {
    const line = `bella-cli/${version} ${process.platform}-${process.arch} node-${process.version}\n`
    expect(await run(['-v'], {env: baseEnv()})).toMatchObject({code: 0, stdout: line})
    expect(await run(['version'], {env: baseEnv()})).toMatchObject({code: 0, stdout: line})
    const help = await run(['login', '-h'], {env: baseEnv()})
    expect(help).toMatchObject({code: 0})
    expect(help.stdout).toContain('$ bella login')
    const script = await run(['autocomplete', 'script', 'zsh'], {env: baseEnv()})
    expect(script).toMatchObject({code: 0})
    expect(script.stdout).toContain('BELLA_AC_ZSH_SETUP_PATH')
  })

  it('run -- CMD injects the secrets and mirrors the exit status; run --watch too', async () => {
    const r = await run(['run', '--', 'sh', '-c', 'printf %s "$LOG_LEVEL"; exit 5'])
    expect(r).toMatchObject({code: 5, stdout: 'debug'})
    const watched = await run(['run', '--watch', '--', 'sh', '-c', 'printf %s "$LOG_LEVEL"'])
    expect(watched).toMatchObject({code: 0, stdout: 'debug'})
  })

  it('run --mask, run --explain and the offline snapshot (--fallback-only), as in the npm package', async () => {
    const masked = await run(['run', '--mask', '--', 'sh', '-c', 'printf "%s|%s" "$DATABASE_URL" "$LOG_LEVEL"'])
    expect(masked).toMatchObject({code: 0, stdout: '*****|*****'})
    const explained = await run(['run', '--explain', '--', 'sh', '-c', 'echo started'])
    expect(explained).toMatchObject({code: 0, stdout: ''})
    expect(explained.stderr).toMatch(/LOG_LEVEL +\S+ +injected/)
    // The live runs above wrote the encrypted snapshot this one starts from, without the API.
    const offline = await run(['run', '--fallback-only', '--', 'sh', '-c', 'printf %s "$LOG_LEVEL"'])
    expect(offline).toMatchObject({code: 0, stdout: 'debug'})
    expect(offline.stderr).toContain('--fallback-only: the API was not asked')
  })

  it("V8 accepts the code caches built for run's fast path and for the rest of bella (a rejected one costs start-up time silently)", async () => {
    const trace = {...apiEnv(), BELLA_TRACE_CODE_CACHE: '1'}
    const fast = await run(['run', '--', 'sh', '-c', ':'], {env: trace})
    expect(fast.code).toBe(0)
    expect(fast.stderr).toContain('debug: code cache run.cache accepted')
    const rest = await run(['whoami', '--offline'], {env: trace})
    expect(rest.code).toBe(0)
    expect(rest.stderr).toContain('debug: code cache rest.cache accepted')
    expect(`${fast.stderr}${rest.stderr}`).not.toContain('rejected')
  })

  it('agent --init, then --once writes dotenv, json and yaml sinks (0600)', async () => {
    const dir = freshDir('agent')
    expect((await run(['agent', '--init'], {cwd: dir})).code).toBe(0)
    expect(readFileSync(join(dir, 'bella-agent.yaml'), 'utf8')).toContain('watches:')
    writeFileSync(
      join(dir, 'bella-agent.yaml'),
      'watches:\n  - project: demo\n    environment: dev\nsinks:\n  - type: dotenv\n    path: ./.env\n  - type: json\n    path: ./secrets.json\n  - type: yaml\n    path: ./secrets.yaml\n',
    )
    const r = await run(['agent', '--once'], {cwd: dir})
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^LOG_LEVEL=/m)
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).LOG_LEVEL).toBe('debug')
    expect(readFileSync(join(dir, 'secrets.yaml'), 'utf8')).toMatch(/^LOG_LEVEL: "debug"$/m)
    for (const file of ['.env', 'secrets.json', 'secrets.yaml']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600)
  })

  it('exec, issue, api-keys list and whoami', async () => {
    const exec = await run(['exec', '--', 'sh', '-c', 'printf %s "$BELLA_BAXTER_URL"'])
    expect(exec).toMatchObject({code: 0, stdout: emulator.url})
    const token = await run(['issue', '--scope', 'LOG_LEVEL'])
    expect(token.code).toBe(0)
    expect(token.stdout).toMatch(/^bax-[0-9a-f]+-[0-9a-f]+\n$/)
    const keys = await run(['api-keys', 'list', '-p', 'demo', '-e', 'dev', '--json'])
    expect(keys.code).toBe(0)
    expect(Array.isArray(JSON.parse(keys.stdout))).toBe(true)
    const whoami = await run(['whoami', '--json'])
    expect(whoami.code).toBe(0)
    expect(JSON.parse(whoami.stdout)).toMatchObject({apiUrl: {value: emulator.url}})
  })

  it('login without a keychain addon beside it stores the key in the 0600 file, says so once, and later commands use it', async () => {
    const env = {...baseEnv(), HOME: freshDir('login-home'), XDG_CONFIG_HOME: join(work, 'login-home', '.config')}
    const login = await run(['login', '--api-key', '-', '--api-url', emulator.url], {env, input: `${emulator.apiKey}\n`})
    expect(login.code).toBe(0)
    expect(login.stderr.match(/No usable OS keychain/g)).toHaveLength(1)
    expect(statSync(join(env.XDG_CONFIG_HOME, 'bella', 'credentials.json')).mode & 0o777).toBe(0o600)
    const r = await run(['run', '--api-url', emulator.url, '--', 'sh', '-c', 'printf %s "$LOG_LEVEL"'], {env})
    expect(r).toMatchObject({code: 0, stdout: 'debug'})
  })

  it('loads the keychain addon from a node_modules folder beside the binary', async () => {
    // The addon loads, then its probe finds no usable keychain in this headless sandbox: the fallback
    // names that reason, not "could not be loaded" as it does without the addon (test above).
    const beside = freshDir('beside')
    copyFileSync(built, join(beside, 'bella'))
    chmodSync(join(beside, 'bella'), 0o755)
    for (const name of ['keyring', 'keyring-linux-x64-gnu']) {
      cpSync(join(repoRoot, 'node_modules', '@napi-rs', name), join(beside, 'node_modules', '@napi-rs', name), {recursive: true, dereference: true})
    }
    const env = {...baseEnv(), HOME: freshDir('keyring-home'), XDG_CONFIG_HOME: join(work, 'keyring-home', '.config')}
    const login = await runProcess(join(beside, 'bella'), ['login', '--api-key', '-', '--api-url', emulator.url], {env, input: `${emulator.apiKey}\n`, cwd: beside})
    expect(login.code).toBe(0)
    expect(login.stderr).not.toContain('could not be loaded')
    expect(login.stderr).toMatch(/No usable OS keychain \(.+\); storing credentials in/)
  })

  it('an unknown command is a usage error with the closest command, as in the npm package (exit 2)', async () => {
    const r = await run(['secrets', 'lst'], {env: baseEnv()})
    expect(r).toMatchObject({code: 2, stdout: ''})
    expect(r.stderr).toBe('Error: "secrets lst" is not a bella command\n  Try: did you mean: bella secrets list\n  Try: bella help lists every command\n')
  })

  it('plugins: says plainly that the binary cannot load them, and what to do instead', async () => {
    const list = await run(['plugins'])
    expect(list.code).toBe(0)
    expect(list.stderr).toContain('the single bella binary cannot load plugins')
    const install = await run(['plugins', 'install', 'bella-sink-ini'])
    expect(install.code).toBe(2)
    expect(install.stderr).toContain('Error: the single bella binary cannot load plugins')
    expect(install.stderr).toContain('install the npm package instead')
  })
})
