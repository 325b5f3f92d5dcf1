import {signalNumber} from './exit.js'

const TERMINATING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']

/**
 * Until a child is running, a terminating signal must still end bella (128+N). As PID 1 the
 * kernel drops signals that have no handler, so without this a `docker stop` during the secrets
 * fetch would be lost and the app started anyway. Returns the release function: call it right
 * before starting the child, whose Supervisor installs its own handlers synchronously.
 */
export function exitOnTerminatingSignals(
  say: (message: string) => void = (m) => void process.stderr.write(`${m}\n`),
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const handlers = TERMINATING.map((signal) => {
    const handler = () => {
      say(`bella: ${signal} received before the command started; not starting it`)
      exit(128 + (signalNumber(signal) ?? 0))
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
