// Runs the real CLI (bin/run.js, built output) as a child process, the way users and scripts do.
import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

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
  const home = mkdtempSync(join(tmpdir(), 'bella-home-'))
  return {HOME: home, XDG_CONFIG_HOME: join(home, '.config')}
}

export function bella(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8'}
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bellaBin, ...args], {cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe']})
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
