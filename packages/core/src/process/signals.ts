import {fstatSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {type ChildProcessHandle, DEFAULT_KILL_TIMEOUT_MS} from './child.js'
import {signalNumber} from './exit.js'

/** The signals bella passes on to its child (SPEC "bella run"). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

export type SignalAction =
  /** Sent on to the child. */
  | 'forwarded'
  /** Not sent: the terminal already delivered this Ctrl-C / Ctrl-\ to the child's process group. */
  | 'terminal-delivered'
  /**
   * A repeated SIGINT/SIGTERM while the child was already being stopped, or a second Ctrl-C soon
   * after the terminal delivered one: the child got SIGKILL.
   */
  | 'killed'
  /** No running child to forward to (between a stop and the next start). */
  | 'no-child'

export interface SignalEvent {
  signal: NodeJS.Signals
  action: SignalAction
  child?: ChildProcessHandle
}

export interface SignalForwardingOptions {
  /** The child to forward to, looked up per signal, so a --watch restart needs no reinstall. */
  target: () => ChildProcessHandle | undefined
  signals?: readonly NodeJS.Signals[]
  /** Whether the terminal has already delivered SIGINT/SIGQUIT to `child`. Default: detect it. */
  terminalDelivered?: (child: ChildProcessHandle) => boolean
  /**
   * After the terminal delivered a Ctrl-C to the child, a second SIGINT within this many ms kills
   * the child at once (SIGKILL). A child still running after the window handled the first one
   * itself and carried on (a REPL cancelling a line), so a later Ctrl-C is a new, first one.
   * Default DEFAULT_KILL_TIMEOUT_MS, the grace a stop gives a child.
   */
  secondInterruptWindowMs?: number
  /** Told about every signal after it was acted on. */
  onSignal?: (event: SignalEvent) => void
}

export interface SignalForwarding {
  /** Remove the handlers (the default dispositions return, so a later SIGINT kills bella). */
  uninstall(): void
}

/**
 * Install process-level handlers that pass FORWARDED_SIGNALS on to the current child.
 *
 * Having a handler for every forwarded signal is also what makes bella work as PID 1: the kernel
 * drops signals sent to a namespace's init for which it has no handler, so without these
 * `docker stop` would wait 10 s and SIGKILL.
 *
 * SIGUSR1: a listener also stops Node's "SIGUSR1 starts the inspector" behaviour for bella itself,
 * which is what we want — the signal is meant for the child.
 */
export function installSignalForwarding(options: SignalForwardingOptions): SignalForwarding {
  const terminalDelivered = options.terminalDelivered ?? terminalSignalsReachChild
  const secondInterruptWindowMs = options.secondInterruptWindowMs ?? DEFAULT_KILL_TIMEOUT_MS
  const handler = (signal: NodeJS.Signals) => {
    const child = options.target()
    if (!child || child.exitStatus) {
      options.onSignal?.({signal, action: 'no-child'})
      return
    }

    options.onSignal?.({signal, action: decide(child, signal, terminalDelivered, secondInterruptWindowMs), child})
  }

  // Only signals this platform has (Windows lacks SIGQUIT/SIGUSR1/SIGUSR2, and listening to one
  // libuv cannot watch throws).
  const signals = (options.signals ?? FORWARDED_SIGNALS).filter((signal) => {
    if (signalNumber(signal) === undefined) return false
    try {
      process.on(signal, handler)
      return true
    } catch {
      return false
    }
  })
  let installed = true
  return {
    uninstall() {
      if (!installed) return
      installed = false
      for (const signal of signals) process.removeListener(signal, handler)
    },
  }
}

function decide(
  child: ChildProcessHandle,
  signal: NodeJS.Signals,
  terminalDelivered: (child: ChildProcessHandle) => boolean,
  secondInterruptWindowMs: number,
): SignalAction {
  const interrupt = signal === 'SIGINT' || signal === 'SIGTERM'
  const now = performance.now()
  // A second INT/TERM while the child is already stopping means "don't wait any longer": after
  // one bella sent (forwarded, or stop()), or a second Ctrl-C shortly after the terminal's first.
  const recentCtrlC = child.interruptedAt !== undefined && now - child.interruptedAt <= secondInterruptWindowMs
  if ((interrupt && child.terminating) || (signal === 'SIGINT' && recentCtrlC)) {
    child.signal('SIGKILL')
    return 'killed'
  }

  // The terminal sends Ctrl-C/Ctrl-\ to its whole foreground process group; when the child is in
  // that group (our group) it already has this signal, and forwarding would deliver it twice.
  if ((signal === 'SIGINT' || signal === 'SIGQUIT') && terminalDelivered(child)) {
    if (signal === 'SIGINT') child.interruptedAt = now
    return 'terminal-delivered'
  }

  child.signal(signal)
  return 'forwarded'
}

/**
 * True when a SIGINT/SIGQUIT bella received most likely came from its controlling terminal and so
 * also reached `child`: the child shares bella's process group, and that group is the terminal's
 * foreground group.
 *
 * On Linux this reads /proc/self/stat (tty_nr and tpgid), which is exact even when stdin is
 * redirected (`bella run -- cmd < file` at a prompt still gets Ctrl-C from the terminal).
 * Elsewhere it falls back to "stdin is a TTY". Node cannot see the sender of a signal (no
 * siginfo), so a `kill -INT <bella>` while bella is in the foreground is not forwarded either;
 * SIGTERM, the signal supervisors use, always is.
 */
export function terminalSignalsReachChild(child: ChildProcessHandle): boolean {
  if (child.ownProcessGroup) return false // own session: the terminal cannot reach it
  const fromProc = foregroundOfControllingTerminal()
  if (fromProc !== undefined) return fromProc
  return stdinIsTty()
}

/** Linux: whether bella's process group is the foreground group of its controlling terminal. */
export function foregroundOfControllingTerminal(): boolean | undefined {
  const terminal = controllingTerminal()
  return terminal === null ? false : terminal?.foreground
}

/**
 * Whether a child should get a session and process group of its own (ChildSpec.ownProcessGroup):
 * yes, unless bella runs interactively — in the foreground of the terminal its stdin comes from.
 *
 *  - At a prompt, the child stays in bella's group: it keeps the terminal (job control, /dev/tty,
 *    prompts) and the terminal's Ctrl-C reaches it directly, exactly once (bella does not forward
 *    its own copy, see terminalSignalsReachChild).
 *  - Everywhere else (CI runners, containers without -t, systemd, `timeout`, a background job,
 *    `kill -- -PGID`), whoever signals bella's whole group would otherwise reach the child twice:
 *    once directly and once forwarded by bella. In its own group it gets bella's copy only, and
 *    bella's forwards and stops reach the child's children too (`sh -c`, npm scripts).
 *
 * Linux reads /proc/self/stat (no extra module); elsewhere "stdin is a TTY" decides.
 */
export function childNeedsOwnProcessGroup(): boolean {
  const terminal = controllingTerminal()
  if (terminal) {
    if (!terminal.foreground) return true
    try {
      return fstatSync(0).rdev !== terminal.device
    } catch {
      return true // no stdin at all
    }
  }
  if (terminal === null) return true // Linux, no controlling terminal
  return !stdinIsTty()
}

/**
 * Linux: bella's controlling terminal (its device number, and whether bella's process group is its
 * foreground group); null when it has none; undefined where /proc cannot tell.
 */
function controllingTerminal(): {device: number; foreground: boolean} | null | undefined {
  if (process.platform !== 'linux') return undefined
  let stat: string
  try {
    stat = readFileSync('/proc/self/stat', 'utf8')
  } catch {
    return undefined
  }

  // Fields after "pid (comm) ": state ppid pgrp session tty_nr tpgid … (comm may contain spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const pgrp = Number(fields[2])
  const ttyNr = Number(fields[4])
  const tpgid = Number(fields[5])
  if (!Number.isInteger(pgrp) || !Number.isInteger(ttyNr) || !Number.isInteger(tpgid)) return undefined
  if (ttyNr === 0) return null
  return {device: ttyNr, foreground: tpgid === pgrp}
}

function stdinIsTty(): boolean {
  try {
    // node:tty pulls in node:net; load it only off Linux. getBuiltinModule (Node ≥ 20.16) also
    // works in a CJS bundle/SEA, where import.meta.url is empty.
    const tty = (process.getBuiltinModule?.('node:tty') ??
      createRequire(import.meta.url)('node:tty')) as typeof import('node:tty')
    return tty.isatty(0)
  } catch {
    return false
  }
}
