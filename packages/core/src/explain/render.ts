/**
 * The human form of an explanation: a compact table, then one line per finding. Every name and
 * slug goes through display quoting (a name holding a newline or an escape sequence prints as one
 * inert quoted token), so nothing foreign can forge a line; nothing here ever sees a value.
 */
import {escapeControls, quoteName} from '../display.js'
import type {WithheldReason} from '../process/env.js'
import type {DuplicateExplained, EnvironmentSizeExplained, Explanation} from './explain.js'

const NAME_MAX = 120

/** A secret name as printed: plain identifiers as they are, anything else quoted and escaped. */
export const shownName = (name: string): string => quoteName(name, NAME_MAX)
/** A provider slug (the server's text) as printed: control characters escaped. */
export const shownSlug = (slug: string): string => escapeControls(slug.length > NAME_MAX ? `${slug.slice(0, NAME_MAX)}…` : slug)

const n = (value: number) => value.toLocaleString('en-US')

const REASONS: Record<WithheldReason, string> = {
  reserved: 'withheld: reserved name',
  'invalid-name': 'withheld: not a variable name',
  'nul-byte': 'withheld: value holds a NUL byte',
  sealed: 'withheld: value still sealed',
}

/** Rows padded into columns; the last column is not padded. */
export function table(rows: readonly string[][], indent = '  '): string[] {
  // reduce, not Math.max(...): an environment can have more names than a call has arguments.
  const widths = rows[0]?.map((_, column) => rows.reduce((max, row) => Math.max(max, [...(row[column] ?? '')].length), 0)) ?? []
  return rows.map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]! + cell.length - [...cell].length))).join('  ').trimEnd())
}

/** What a withheld name needs, for humans. */
export function withheldHint(reason: WithheldReason, flag: string | null): string {
  if (reason === 'reserved') return flag ? `pass ${flag} to inject it` : 'reserved'
  if (reason === 'invalid-name') return 'rename it in Bella Baxter (letters, digits and _)'
  if (reason === 'nul-byte') return 'remove the NUL, or have `bella agent` write it to a file'
  return "ask the server's operator: the server should have decrypted it"
}

/** The environment size line: bytes used against the OS limit. */
export function sizeLine(size: EnvironmentSizeExplained, prefix = 'bella: '): string {
  const limit = size.limit === null ? 'no known limit on this OS' : `${n(size.limit)} allowed (${((size.bytes / size.limit) * 100).toFixed(1)} %)`
  const verdict = size.fits ? '' : `; TOO LARGE to start: ${tooLarge(size)}`
  return `${prefix}environment: ${n(size.variables)} variables, ${n(size.bytes)} bytes with the command line, of ${limit}${verdict}`
}

/** Why the environment cannot be exec'd: the whole too large, or else a variable over the per-variable limit. */
function tooLarge(size: EnvironmentSizeExplained): string {
  const perVariable = size.perVariableLimit
  if ((size.limit === null || size.bytes <= size.limit) && perVariable !== null) {
    const over = size.largest.filter((v) => v.bytes > perVariable)
    return `${over.map((v) => `${shownName(v.name)} is ${n(v.bytes)} bytes`).join(', ')}, over the ${n(perVariable)} bytes one variable may have`
  }
  return `largest ${size.largest.map((v) => `${shownName(v.name)} ${n(v.bytes)} bytes`).join(', ')}`
}

/** A name several providers hold, and which one won. */
export function duplicateLine(d: DuplicateExplained): string {
  const won = d.sameValue ? 'same value in each, so no difference' : d.winner ? `${shownSlug(d.winner)} won` : 'none of their values is the one served (changed meanwhile?)'
  return `bella: ${shownName(d.name)} is in ${d.providers.map(shownSlug).join(', ')}: ${won}`
}

/** " also in a, b" for a name other providers hold too, else "". */
export function alsoIn(provider: string | null, providers: readonly string[]): string {
  return providers.length > 1 ? `; also in ${providers.filter((p) => p !== provider).map(shownSlug).join(', ')}` : ''
}

/** The lines explaining one fetched environment (table, providers, duplicates, withheld, overrides, size). */
export function renderExplanation(explanation: Explanation, options: {sizeNote?: string} = {}): string[] {
  const lines: string[] = []
  const {secrets} = explanation
  if (secrets.length === 0) lines.push('  (no secrets)')
  else {
    const rows = [['NAME', 'PROVIDER', 'STATUS']]
    for (const s of secrets) {
      const status = (s.injected ? 'injected' : REASONS[s.withheld ?? 'invalid-name']) + (s.overrides ? '; overrides inherited value' : '')
      rows.push([shownName(s.name), s.provider === null ? '?' : shownSlug(s.provider), status + alsoIn(s.provider, s.providers)])
    }
    lines.push(...table(rows))
  }

  if (explanation.providers === null) lines.push('bella: providers: unknown (see the warning above); PROVIDER shows ?')
  else {
    const listed = explanation.providers.map((p) => `${shownSlug(p.slug)} (${n(p.count)} ${p.count === 1 ? 'name' : 'names'})`)
    lines.push(`bella: providers, in merge order: ${listed.join(', ') || 'none'}`)
  }
  for (const d of explanation.duplicates) lines.push(duplicateLine(d))
  for (const w of explanation.withheld) {
    lines.push(`bella: withheld ${shownName(w.name)} (${REASONS[w.reason].slice('withheld: '.length)}): ${withheldHint(w.reason, w.flag)}`)
  }
  if (explanation.overrides.length > 0) {
    const count = explanation.overrides.length
    lines.push(`bella: ${count === 1 ? '1 secret overrides a variable' : `${count} secrets override variables`} bella inherited: ${explanation.overrides.map(shownName).join(', ')}`)
  }
  if (explanation.removed.length > 0) {
    lines.push(`bella: not passed on from bella's environment: ${explanation.removed.map(shownName).join(', ')}`)
  }
  lines.push(sizeLine(explanation.size) + (options.sizeNote ?? ''))
  return lines
}
