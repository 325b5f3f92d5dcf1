// Runs the real CLI (bin/run.js, built output) as a child process, the way users and scripts do.
import {spawn} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {testTempDir} from './temp.js'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const bellaBin = join(repoRoot, 'bin', 'run.js')
export const fixtures = join(repoRoot, 'test', 'fixtures')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  input?: string
  timeoutMs?: number
}

/** A private HOME/XDG folder per test, so nothing touches the real user's config or keychain. */
export function isolatedHome(): {HOME: string; XDG_CONFIG_HOME: string} {
  const home = testTempDir('bella-home-')
  return {HOME: home, XDG_CONFIG_HOME: join(home, '.config')}
}

export function bella(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [bellaBin, ...args], options)
}

/**
 * Runs any executable to completion with only PATH, LANG and `options.env` in its environment
 * (an installed bella, the single binary, npm), killing it after `timeoutMs`.
 */
export function runProcess(file: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8'}
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Starts `bella emulator --port 0` through `file args…` (an installed bella or the binary) and
 * resolves once it printed BELLA_BAXTER_URL and BELLA_BAXTER_API_KEY on stdout.
 */
export async function startEmulatorProcess(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{url: string; apiKey: string; stop(): Promise<void>}> {
  const child = spawn(file, [...args, 'emulator', '--port', '0'], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const vars = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within 15 s: ${err}`)), 15_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const lines = out.split('\n').filter((line) => line.startsWith('BELLA_BAXTER_'))
      if (lines.length < 2) return
      clearTimeout(timer)
      resolve(Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])))
    })
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}: ${err}`)))
  })
  return {
    url: vars['BELLA_BAXTER_URL']!,
    apiKey: vars['BELLA_BAXTER_API_KEY']!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
