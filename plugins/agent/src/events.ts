/** The agent's recurring log events, and the start-up cleanup they report (names and paths only). */
import {describeSealed, quoteName} from '@bella/core'
import type {AgentConfig} from './config/load.js'
import type {AgentLog} from './log.js'
import {describeConfig, plural} from './messages.js'
import type {Fetched} from './watch-fetch.js'

export function emitStart(config: AgentConfig, once: boolean, log: AgentLog): void {
  log.emit({
    event: 'start',
    level: 'info',
    message: `${once ? 'once' : 'started'}: ${describeConfig(config, once)}`,
    config: config.file,
    once,
    watches: config.watches.map((w) => ({watch: w.label, pollInterval: w.pollIntervalSeconds})),
    sinks: config.sinks.map((s) => ({type: s.type, target: s.sink.target})),
    ...(config.process ? {signal: config.process.signal, pidFile: config.process.pidFileLabel ?? null} : {}),
    pid: process.pid,
  })
}

/** What the sinks' options deserve a word about (a group- or world-readable mode). */
export function emitSinkWarnings(config: AgentConfig, log: AgentLog): void {
  for (const {sink, type} of config.sinks) {
    for (const warning of sink.warnings ?? []) {
      log.emit({event: 'sink-warning', level: 'warn', message: `${type} sink: ${warning}`, sink: type, target: sink.target})
    }
  }
}

/** Temp files full of secrets that a killed agent left next to its sinks: removed before anything else. */
export async function removeStaleTempFiles(config: AgentConfig, log: AgentLog): Promise<void> {
  for (const {sink, type} of config.sinks) {
    const removed = await sink.removeStale?.().catch(() => [] as string[])
    if (!removed || removed.length === 0) continue
    log.emit({
      event: 'notice',
      level: 'info',
      message: `removed ${plural(removed.length, 'stale temp file')} left next to ${sink.target} (${type}) by an earlier bella that was stopped mid-write`,
      target: sink.target,
      removed,
    })
  }
}

export function emitFetched(log: AgentLog, label: string, fetched: Fetched, changed: boolean): void {
  const count = Object.keys(fetched.secrets).length
  const version = fetched.version === undefined ? '' : ` (version ${fetched.version})`
  log.emit({
    event: 'fetched',
    level: 'info',
    message: changed ? `${label} changed: fetched ${plural(count, 'secret')}${version}` : `fetched ${plural(count, 'secret')} from ${label}${version}`,
    watch: label,
    secrets: count,
    changed,
    ...(fetched.version === undefined ? {} : {version: fetched.version}),
  })
  if (fetched.sealed.length > 0) {
    log.emit({
      event: 'withheld',
      level: 'warn',
      message: `${label}: ${describeSealed(fetched.sealed.map((n) => quoteName(n, 200)))}`,
      watch: label,
      keys: fetched.sealed,
    })
  }
}

export function emitStopped(log: AgentLog, message: string, signal: NodeJS.Signals | undefined): void {
  log.emit({
    event: 'stopped',
    level: 'info',
    message,
    ...(signal ? {signal} : {}),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  })
}

/**
 * After a poll saw another marker: did the secrets change? Decided by their digest, never by the
 * version; says so when the version went back (a server reset or restore) or moved in vain.
 */
export function contentChanged(log: AgentLog, label: string, known: Fetched, fetched: Fetched): boolean {
  if (known.version !== undefined && fetched.version !== undefined && fetched.version < known.version) {
    log.emit({
      event: 'notice',
      level: 'info',
      message: `${label}: the secrets' version went back from ${known.version} to ${fetched.version} (a server reset or restore?); comparing the secrets themselves`,
      watch: label,
    })
  }
  if (fetched.digest !== known.digest) return true
  const version = fetched.version === undefined ? '' : ` (version ${fetched.version})`
  log.emit({
    event: 'fetched',
    level: 'info',
    message: `${label}: version moved${version}, secrets unchanged; nothing to write`,
    watch: label,
    changed: false,
    ...(fetched.version === undefined ? {} : {version: fetched.version}),
  })
  return false
}
