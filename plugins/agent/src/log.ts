/**
 * The agent's event log, on stderr (stdout stays clean): a human line per event by default, or one
 * JSON object per line with `--log-format json`. Events carry names, counts, versions, paths and
 * pids, never a secret value: nothing here is ever given one. Whatever a name, path or foreign
 * error message holds, an event stays one line without control characters (core's escapeControls):
 * no escape sequence, carriage return or line separator reaches the terminal or the log collector.
 */
import {escapeControls, oneLine} from '@bella/core'

export type LogFormat = 'text' | 'json'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export type AgentEventName =
  | 'start'
  | 'fetched'
  | 'written'
  | 'unchanged'
  | 'write-failed'
  | 'signalled'
  | 'signal-skipped'
  | 'fetch-failed'
  | 'recovered'
  | 'held'
  | 'collision'
  | 'withheld'
  | 'retry'
  | 'reloaded'
  | 'reload-rejected'
  | 'synced'
  | 'stopped'
  | 'error'
  | 'notice'
  | 'sink-warning'
  | 'fallback'

export interface AgentEvent {
  event: AgentEventName
  level: LogLevel
  /** The human line (also in the JSON object). */
  message: string
  [field: string]: unknown
}

export interface AgentLog {
  emit(event: AgentEvent): void
}

export interface AgentLogOptions {
  format: LogFormat
  verbose: boolean
  write: (line: string) => void
  clock?: () => Date
}

export function createAgentLog(options: AgentLogOptions): AgentLog {
  const clock = options.clock ?? (() => new Date())
  return {
    emit(event) {
      if (event.level === 'debug' && !options.verbose) return
      if (options.format === 'json') {
        const {event: name, level, message, ...fields} = event
        // JSON.stringify escapes C0 controls only; DEL, C1, U+2028/9 and bidi controls inside strings become \uXXXX too.
        options.write(`${escapeControls(JSON.stringify({time: clock().toISOString(), level, event: name, message, ...fields}))}\n`)
        return
      }
      // Warnings, errors and debug lines start with their level, as everywhere in bella; other events
      // say `bella agent:`, as the agent's stderr is often shared with the program it feeds.
      const prefix = event.level === 'warn' ? 'Warning: ' : event.level === 'error' ? 'Error: ' : event.level === 'debug' ? 'debug: ' : 'bella agent: '
      // Keep one event on one line, whatever a message (an error from elsewhere) contains.
      options.write(`${prefix}${oneLine(event.message)}\n`)
    },
  }
}
