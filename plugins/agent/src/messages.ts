/** Wording shared by the agent's events and errors: counts, config summaries, error text. */
import {BellaError, isBellaError} from '@bella/core'
import type {AgentConfig} from './config/load.js'

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

export function describeConfig(config: AgentConfig, once = false): string {
  const watches = config.watches.map((w) => (once ? w.label : `${w.label} every ${w.pollIntervalSeconds}s`)).join(', ')
  const sinks = config.sinks.map((s) => `${s.type} ${s.sink.target}`).join(', ')
  const signal = config.process && !config.process.inert ? `; ${config.process.signal} → ${config.process.pidFileLabel}` : ''
  return `${once ? 'fetching' : 'watching'} ${watches}; writing ${sinks}${signal}`
}

/** A start-up failure that retrying will not fix. */
export function isFatal(error: unknown): boolean {
  return isBellaError(error) && (error.kind === 'auth' || error.kind === 'usage' || error.code === 'api_not_found')
}

/** `reason` is the error's message as it may be shown (redacted); the cause is not kept, so nothing unredacted travels on. */
export function watchError(label: string, error: unknown, reason: string, others: number, once: boolean): BellaError {
  const more = others > 0 ? ` (and ${others} more watch${others === 1 ? '' : 'es'} failing)` : ''
  const nothing = once ? '; nothing was written' : ''
  const message = `cannot fetch ${label}: ${reason}${more}${nothing}`
  if (isBellaError(error)) return new BellaError(error.kind, message, {code: error.code, suggestions: error.suggestions})
  return new BellaError('general', message)
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function errorFields(error: unknown): Record<string, unknown> {
  return isBellaError(error) ? {code: error.code, kind: error.kind} : {}
}
