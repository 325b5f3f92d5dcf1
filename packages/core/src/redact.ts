/**
 * Redaction of secret values from text bella did not write itself: the messages of Node's and
 * libraries' errors (a spawn refusing an environment quotes the offending value). Every such
 * message is passed through a redactor that knows the secret values before it reaches the user.
 */
import {inspect} from 'node:util'
import {BellaError, isBellaError} from './errors.js'

export const REDACTED = '*****'
/** Shorter values are left alone: redacting `1` or `true` everywhere would garble every message. */
export const MIN_REDACTED_LENGTH = 4
/**
 * Node cuts a quoted value in its own messages after 128 characters (ERR_INVALID_ARG_VALUE), and
 * libraries cut too: the first characters of a long value are redacted wherever they appear.
 */
const PREFIX_LENGTH = 32

export type Redactor = (text: string) => string

/** A redactor replacing each known value (≥ 4 characters) with `*****`, also as Node or JSON would quote it. */
export function createRedactor(values: Iterable<string>): Redactor {
  // Compiled on first use: on the happy path there is nothing to redact and nothing is paid.
  let pattern: RegExp | null | undefined
  return (text) => {
    if (pattern === undefined) pattern = compile(values)
    return pattern === null ? text : text.replace(pattern, REDACTED)
  }
}

function compile(values: Iterable<string>): RegExp | null {
  const forms = new Set<string>()
  const add = (form: string) => {
    if (form.length < MIN_REDACTED_LENGTH) return
    forms.add(form)
    if (form.length > PREFIX_LENGTH) forms.add(form.slice(0, PREFIX_LENGTH))
  }
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_REDACTED_LENGTH) continue
    add(value)
    add(JSON.stringify(value).slice(1, -1))
    add(inspect(value).slice(1, -1))
    // The parts around a NUL, which messages show escaped or cut at.
    if (value.includes('\0')) for (const part of value.split('\0')) add(part)
  }
  if (forms.size === 0) return null
  // Longest first, so a value containing another is replaced whole.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(alternatives.join('|'), 'g')
}

/**
 * The error to show the user in place of `error`: the same kind, code and suggestions with every
 * known value redacted, and no `cause` (which would carry the original message). Anything that is
 * not a bella error becomes a general one (exit 1).
 */
export function redactError(error: unknown, redact: Redactor): BellaError {
  if (isBellaError(error)) {
    return new BellaError(error.kind, redact(error.message), {code: error.code, suggestions: error.suggestions.map(redact)})
  }
  const message = error instanceof Error ? error.message : String(error)
  return new BellaError('general', redact(message), {code: 'error'})
}
