/**
 * Printing text bella does not control (secret names, key names, server messages) without letting
 * it forge output: no terminal escape sequences (ESC, the 8-bit CSI U+009B), no carriage returns
 * that overwrite a line, no line breaks that start a fake line, no bidirectional overrides that
 * reorder what the reader sees. Every place that prints such a name goes through here.
 */

/**
 * What is never printed raw: C0 controls, DEL, C1 controls, U+2028/U+2029 (line breaks to some
 * readers), bidirectional controls (U+200E/F, U+202A–E, U+2066–9), the BOM, and unpaired
 * surrogates (not characters at all).
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const UNSAFE_ONE = new RegExp(UNSAFE.source)

const hex4 = (unit: number) => unit.toString(16).padStart(4, '0')

/**
 * `text` with every unsafe character (see UNSAFE; LF included) written as a `\uXXXX` escape, so it
 * prints as one inert line. Inside a JSON string literal the result is still valid JSON.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${hex4(c.charCodeAt(0))}`)
}

/** `text` with every unsafe character replaced by `mask` (one for one, so column widths stay): for tables. */
export function maskControls(text: string, mask = '?'): string {
  return text.replace(UNSAFE, mask)
}

/** True when `text` holds nothing escapeControls would change. */
export function isPrintable(text: string): boolean {
  return !UNSAFE_ONE.test(text)
}

/**
 * Always quoted: a JSON string literal with every unsafe character escaped (`"a b"`, `"x\u001b"`).
 * With `max`, longer text is cut to its first `max` UTF-16 units, marked `…" (N characters)`.
 */
export function quoteText(text: string, max?: number): string {
  if (max !== undefined && text.length > max) return `${escapeControls(JSON.stringify(text.slice(0, max))).slice(0, -1)}…" (${text.length} characters)`
  return escapeControls(JSON.stringify(text))
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * A secret's name in a list of names: a plain identifier (`DB_URL`, `__proto__`) as it is, any
 * other name quoted with quoteText (`"my key"`, `"a\nB=1"`, `"\u001b[2J"`).
 */
export function quoteName(name: string, max?: number): string {
  return PLAIN_NAME.test(name) && (max === undefined || name.length <= max) ? name : quoteText(name, max)
}

/**
 * A whole message line for a terminal or log: each LF (with the spaces around it) becomes
 * `separator`, and every other unsafe character is escaped. Use it on text that may quote
 * something foreign (an error from a library, a server's message).
 */
export function oneLine(text: string, separator = ' | '): string {
  return escapeControls(text.replace(/\s*\n\s*/g, separator))
}
