/**
 * The process an agent signals: named by a pid-file, checked to exist right before each signal
 * (contract §5.2 #12). A missing, unreadable, malformed or stale pid-file is a reason not to
 * signal, reported as a warning by the caller, never a crash.
 */
import {readFile} from 'node:fs/promises'
import type {SignalTarget} from '@bella/core'

export type PidFileTarget =
  | {ok: true; pid: number; target: SignalTarget & {sent: NodeJS.Signals[]}}
  | {ok: false; reason: string}

export interface PidFileDeps {
  readFile?: (path: string) => Promise<string>
  kill?: (pid: number, signal: NodeJS.Signals | 0) => void
  ownPid?: number
}

export async function pidFileTarget(path: string, label: string, deps: PidFileDeps = {}): Promise<PidFileTarget> {
  const read = deps.readFile ?? ((p: string) => readFile(p, 'utf8'))
  const kill = deps.kill ?? ((pid: number, signal: NodeJS.Signals | 0) => void process.kill(pid, signal))
  let text: string
  try {
    text = await read(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {ok: false, reason: code === 'ENOENT' ? `pid-file ${label} does not exist (is the process running?)` : `cannot read pid-file ${label} (${code ?? 'error'})`}
  }
  const trimmed = text.trim()
  if (!/^\d{1,10}$/.test(trimmed)) {
    return {ok: false, reason: `pid-file ${label} does not hold a process id${trimmed === '' ? ' (it is empty)' : ''}`}
  }
  const pid = Number(trimmed)
  // 0 and negative numbers would signal process groups; never do that.
  if (pid < 1 || pid > 4_194_304) return {ok: false, reason: `pid-file ${label} holds ${pid}, which is not a process id`}
  if (pid === (deps.ownPid ?? process.pid)) return {ok: false, reason: `pid-file ${label} holds bella's own pid ${pid}`}
  try {
    kill(pid, 0)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ESRCH') return {ok: false, reason: `pid-file ${label} is stale: no process ${pid} is running`}
    if (code === 'EPERM') return {ok: false, reason: `process ${pid} from ${label} belongs to another user; bella may not signal it`}
    return {ok: false, reason: `cannot check process ${pid} from ${label} (${code ?? (error as Error).message})`}
  }
  const sent: NodeJS.Signals[] = []
  const target = {
    description: `pid ${pid} from ${label}`,
    sent,
    async kill(signal: NodeJS.Signals): Promise<boolean> {
      try {
        kill(pid, signal)
        sent.push(signal)
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
        throw error
      }
    },
  }
  return {ok: true, pid, target}
}
