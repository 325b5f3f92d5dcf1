/**
 * Renders secrets as a YAML mapping that any YAML parser, 1.1 or 1.2, reads back to exactly the
 * same strings. Every value is a double-quoted scalar, so nothing is ever resolved as another type
 * ("true", "1.10", "null", "~", "0x10", "2024-01-01", "yes", "on"… stay strings), and everything
 * that could change meaning or is not printable is escaped:
 *
 *   `"` → `\"`, `\` → `\\`, LF → `\n`, CR → `\r`, TAB → `\t`, other C0 controls, DEL and C1 controls
 *   (including NEL, a line break in YAML 1.1) → `\u00XX`; U+2028/U+2029 (line breaks in YAML 1.1),
 *   U+FEFF (byte-order mark), U+FFFE/U+FFFF (non-characters) and unpaired surrogates → `\uXXXX`.
 *
 * All else, including astral characters, is written as UTF-8. Each value therefore stays on one
 * line: no folding, no indentation rules, no block scalars. Names are written plain when they are
 * identifier-like and not a word YAML could resolve (yes, no, on, off, y, n, true, false, null),
 * otherwise double-quoted the same way; a name over 1000 characters is an explicit key (`? "name"`
 * then `: "value"`), since YAML limits implicit keys to 1024. Names sort by code point; an empty map
 * is `{}`. The sink parses every file back (with `yaml`) before writing it.
 *
 * Hand-written rather than produced by the `yaml` package: it is exact, linear (10,000 secrets in a
 * few milliseconds) and costs no module load; `yaml` is only used to read files back (tests).
 */
import {generalError, quoteText, sortedKeys, type Secrets} from '@bella/core/runtime'

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/**
 * Plain names a YAML parser would read as something other than a string: booleans and null in
 * YAML 1.1 and 1.2, and `E9`, which the YAML 1.1 float pattern (mantissa optional) reads as NaN.
 */
const RESOLVING_WORDS = /^(?:y|n|yes|no|on|off|true|false|null|[eE][0-9]+)$/i

const hex4 = (unit: number) => unit.toString(16).toUpperCase().padStart(4, '0')

function escapeFor(unit: number): string | undefined {
  if (unit === 0x22) return '\\"'
  if (unit === 0x5c) return '\\\\'
  if (unit === 0x0a) return '\\n'
  if (unit === 0x0d) return '\\r'
  if (unit === 0x09) return '\\t'
  if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return `\\u${hex4(unit)}`
  if (unit === 0x2028 || unit === 0x2029 || unit === 0xfeff || unit === 0xfffe || unit === 0xffff) return `\\u${hex4(unit)}`
  return undefined
}

/** A YAML double-quoted scalar holding exactly `text`. */
export function yamlQuote(text: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    let escaped: string | undefined
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(i + 1)
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++ // a well-formed pair: written as UTF-8
        continue
      }
      escaped = `\\u${hex4(unit)}`
    } else {
      escaped = escapeFor(unit)
    }
    if (escaped !== undefined) {
      out += text.slice(start, i) + escaped
      start = i + 1
    }
  }
  return `${out}${text.slice(start)}"`
}

const yamlName = (name: string) => (PLAIN_NAME.test(name) && !RESOLVING_WORDS.test(name) ? name : yamlQuote(name))

/**
 * YAML allows an implicit key (`key: value`) of at most 1024 characters; `yaml` and PyYAML refuse a
 * longer one. Such a name is written as an explicit key instead (`? key` then `: value`), which has
 * no length limit. Measured in UTF-16 units, which never undercounts characters; with a margin.
 */
const MAX_IMPLICIT_KEY = 1000

/** The whole YAML file: `NAME: "value"` lines sorted by name, UTF-8, final LF. */
export function renderYaml(secrets: Secrets): string {
  const names = sortedKeys(secrets)
  if (names.length === 0) return '{}\n'
  const lines: string[] = []
  for (const name of names) {
    const value = secrets[name]
    if (typeof value !== 'string') throw generalError(`secret ${quoteText(name)} is not a string`, {code: 'yaml_invalid_value'})
    const key = yamlName(name)
    lines.push(key.length > MAX_IMPLICIT_KEY ? `? ${key}\n: ${yamlQuote(value)}\n` : `${key}: ${yamlQuote(value)}\n`)
  }
  return lines.join('')
}
