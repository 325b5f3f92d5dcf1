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
 * libraries cut too: a long value's first 32 characters, and as much of the rest as follows them,
 * are redacted wherever they appear.
 */
const PREFIX_LENGTH = 32

export type Redactor = (text: string) => string

/** A redactor replacing each known value (≥ 4 characters) with `*****`, also as Node or JSON would quote it. */
export function createRedactor(values: Iterable<string>): Redactor {
  // Prepared on first use: on the happy path there is nothing to redact and nothing is paid.
  let forms: string[] | undefined
  return (text) => {
    forms ??= formsOf(values)
    // Plain substring search, longest form first (a value containing another is replaced whole).
    // No regular expression: one built from a 140 KB value is too big to compile. A private-use
    // placeholder keeps later, shorter forms from matching across a replacement.
    let out = text
    for (const form of forms) out = replaceForm(out, form)
    return out === text ? text : out.split(PLACEHOLDER).join(REDACTED)
  }
}

const PLACEHOLDER = '\uE000'

/**
 * Replaces each occurrence of `form` with the placeholder; for a long form, also any occurrence
 * of its first PREFIX_LENGTH characters and as much of the rest as follows (a value cut short).
 */
function replaceForm(text: string, form: string): string {
  const min = Math.min(form.length, PREFIX_LENGTH)
  const head = form.slice(0, min)
  let out = ''
  let from = 0
  for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, from)) {
    let end = at + min
    while (end - at < form.length && end < text.length && text[end] === form[end - at]) end++
    out += text.slice(from, at) + PLACEHOLDER
    from = end
  }
  return from === 0 ? text : out + text.slice(from)
}

function formsOf(values: Iterable<string>): string[] {
  const forms = new Set<string>()
  const add = (form: string) => {
    if (form.length >= MIN_REDACTED_LENGTH && !form.includes(PLACEHOLDER)) forms.add(form)
  }
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_REDACTED_LENGTH) continue
    add(value)
    add(JSON.stringify(value).slice(1, -1))
    add(inspect(value, {maxStringLength: Infinity}).slice(1, -1))
    // The parts around a NUL, which messages show escaped or cut at.
    if (value.includes('\0')) for (const part of value.split('\0')) add(part)
  }
  return [...forms].sort((a, b) => b.length - a.length)
}

/**
 * The error to show the user in place of `error`. bella's own errors are returned as they are:
 * they quote foreign text only through a redactor (spawn errors do), and redacting bella's own
 * words would garble them (a secret `true` would hide the command `true`). Anything else is a
 * message from Node or a library: it becomes a general bella error (exit 1) with every known
 * value redacted and no `cause`, which would carry the original message.
 */
export function redactError(error: unknown, redact: Redactor): unknown {
  if (isBellaError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new BellaError('general', redact(message), {code: 'error'})
}
