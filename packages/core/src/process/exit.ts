import {constants as osConstants} from 'node:os'

export interface ChildExit {
  /** The child's own exit status, or `null` when a signal killed it. */
  code: number | null
  /** The signal that killed the child, or `null` when it exited by itself. */
  signal: NodeJS.Signals | null
  /** What bella exits with: `code`, or 128+N for death by signal N (the shell convention). */
  exitCode: number
}

export function signalNumber(signal: NodeJS.Signals | number): number | undefined {
  return typeof signal === 'number' ? signal : (osConstants.signals as Record<string, number | undefined>)[signal]
}

export function toChildExit(code: number | null, signal: NodeJS.Signals | null): ChildExit {
  if (code !== null) return {code, signal: null, exitCode: code}
  const n = signal === null ? undefined : signalNumber(signal)
  // A signal name libuv reports but os.constants lacks should not happen; 1 is the safe "failed".
  return {code: null, signal, exitCode: n === undefined ? 1 : 128 + n}
}
