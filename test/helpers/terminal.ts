/**
 * Runs bella on a real pseudo-terminal (util-linux `script`): what a person at a terminal sees,
 * prompts and the "waiting…" line included. Everything the terminal shows (stdout and stderr
 * merged, as on a screen) arrives on `script`'s stdout; what is written to `type` is typed.
 */
import {spawn} from 'node:child_process'
import {bellaBin, repoRoot} from './cli.js'

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

export interface TerminalRun {
  /** Types text on the terminal (use '\r' for Enter). */
  type(text: string): void
  /** Resolves once the screen matches, rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  readonly screen: () => string
  readonly exit: Promise<number | null>
}

export function bellaOnTerminal(args: string[], env: Record<string, string>, options: {stdin?: string; cwd?: string} = {}): TerminalRun {
  const redirect = options.stdin === undefined ? '' : ` < ${shellQuote(options.stdin)}`
  const command = `exec ${[process.execPath, bellaBin, ...args].map(shellQuote).join(' ')}${redirect}`
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd ?? repoRoot,
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TERM: 'xterm', SHELL: '/bin/sh', ...env},
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  let screen = ''
  const waiters = new Set<() => void>()
  const onData = (d: Buffer) => {
    screen += d.toString('utf8')
    for (const w of waiters) w()
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer)
      for (const w of waiters) w()
      resolve(code)
    }),
  )
  return {
    type: (text) => void child.stdin.write(text),
    screen: () => screen,
    exit,
    waitFor: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(screen)
          if (match) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(match[0])
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check)
            clearTimeout(timer)
            reject(new Error(`bella exited before the terminal showed ${pattern}:\n${screen}`))
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          child.kill('SIGKILL')
          reject(new Error(`the terminal did not show ${pattern} within ${timeoutMs} ms:\n${screen}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      }),
  }
}
