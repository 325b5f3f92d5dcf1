/**
 * Renders secrets as a .env file that the `dotenv` package (v17, `dotenv.parse`) reads back to
 * exactly the same map: every value identical, no extra keys, nothing commented out.
 *
 * How dotenv 17 parses (lib/main.js), which everything below relies on:
 *
 *   - Raw CR and CRLF in the file become LF before anything else, so a CR in a value can only come
 *     from the escape `\r`, which is expanded (like `\n`) only when the value starts with `"`;
 *     there every backslash-n and backslash-r pair is expanded, and nothing else is unescaped
 *     (`\\`, `\"` stay as they are).
 *   - One global multiline regex, LINE, takes `KEY=` (KEY is `[\w.-]+`) and then the first of:
 *       '…'  "…"  `…`   content `(?:\\q|[^q])*`: may span lines; a quote char q inside must follow
 *                       a backslash (which is kept); a backslash right before the closing quote
 *                       may instead be read as escaping it (see the guard below);
 *       [^#\r\n]+        unquoted: one line, cut at `#`, then trimmed;
 *     followed by optional spaces, an optional `# comment` and the end of a line. JavaScript's `$`
 *     (multiline) also matches before U+2028/U+2029, and `\s`/trim() include them.
 *   - The matched text is trimmed; if it starts and ends with the same quote char, those two are
 *     removed (again a multiline regex: `^` also matches after U+2028/U+2029).
 *
 * Encodings, tried in this order; each is used only when its conditions guarantee that LINE's
 * first match for the line is the intended one (JS regexes return the first match in backtracking
 * order, which for these greedy content loops is the longest one that succeeds):
 *
 *   bare     KEY=value        a conservative charset only ([A-Za-z0-9_.,:/@%+=-]+).
 *   '…'      literal          no unescaped `'` (every `'` follows a `\`), no CR.
 *   "…"      LF→\n, CR→\r     no unescaped `"`, no backslash-n/backslash-r pair in the value.
 *   `…`      literal          no unescaped backtick, no CR.
 *   plain    KEY=value        non-empty, no `#`, CR or LF, no leading/trailing whitespace, does not
 *                             start with a quote char, no U+2028/U+2029 right before a quote char.
 *   "…"+     LF→\n, CR→\r     the value has an unescaped `"` (so LINE's "…" alternative cannot
 *                             match and the unquoted one takes the whole line, quotes included; the
 *                             outer pair is then stripped and \n, \r expanded): no `#`, no
 *                             backslash-n/-r pair, and no `"` that LINE could take as a closing
 *                             quote is followed by whitespace containing U+2028/U+2029.
 *
 * Values are single-line except '…' and `…` ones that contain LF (written raw); multi-line values
 * prefer "…" with \n (the usual way to put a PEM key in a .env) when they allow it.
 *
 * Guard: when a quoted value ends with a backslash, LINE could read `\q` as an escaped quote and
 * run on into the following lines (swallowing the next key if one of them looks like a closing
 * quote). The line then gets a trailing comment ` #q.`: on that path the comment's q is the first
 * unescaped quote and is followed by `.`, which cannot end a value, so that path always fails and
 * the intended one (backslash, then the closing quote, then a comment) is taken.
 *
 * What no encoding can represent, refused with an error naming the secret (never the value): a
 * value is refused only when every form above is ruled out. That this is a real limit of the
 * format, not of this encoder, follows from the parser: a `#` survives only inside a quoted
 * alternative, which cannot hold its own quote char unescaped; a CR only comes from the expansion
 * in a value starting with `"`, which also expands every backslash-n/-r pair; an unescaped `"` in
 * such a value needs the unquoted alternative, which stops at `#` and is reached only when the
 * "…" alternative finds no closing quote on the line. The cases, in practice:
 *   - a CR together with a literal backslash-n or backslash-r (CRLF text quoting a `\n`);
 *   - a CR together with an unescaped `"` and a `#` (or a U+2028/U+2029 that whitespace-follows a
 *     `"`);
 *   - unescaped `'`, `"` and backtick all together, plus a `#`; or plus a literal backslash-n/-r
 *     pair or a badly placed U+2028/U+2029 when the value cannot go unquoted either (it starts with
 *     a quote or a space, or holds a line break).
 *   - a NUL character (an environment variable cannot hold one) and unpaired UTF-16 surrogates
 *     (not valid Unicode, so they cannot be written as UTF-8).
 * The tests search every short spelling for such values exhaustively and find none.
 * Names must be dotenv names (`[A-Za-z0-9_.-]+`) and not `__proto__` (which dotenv's parser, a plain
 * object, silently drops); others are refused rather than skipped, so a file never silently lacks a
 * secret the application expects.
 */
import {generalError, quoteText, sortedKeys, type Secrets} from '@bella/core/runtime'

const NAME = /^[\w.-]+$/
const SAFE = /^[A-Za-z0-9_.,:/@%+=-]+$/
const SPACE = /\s/

const BACKSLASH = 0x5c
const LF = 0x0a
const CR = 0x0d
const QUOTE_CHARS = `'"\``

interface Features {
  cr: boolean
  lf: boolean
  hash: boolean
  nul: boolean
  unpairedSurrogate: boolean
  /** A backslash directly followed by `n` or `r`. */
  escapePair: boolean
  /** Quote chars not preceded by a backslash. */
  bareSingle: boolean
  bareDouble: boolean
  bareBacktick: boolean
  /** U+2028/U+2029 directly followed by a quote char. */
  separatorBeforeQuote: boolean
}

function features(value: string): Features {
  const f: Features = {
    cr: false,
    lf: false,
    hash: false,
    nul: false,
    unpairedSurrogate: false,
    escapePair: false,
    bareSingle: false,
    bareDouble: false,
    bareBacktick: false,
    separatorBeforeQuote: false,
  }
  let previous = -1
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    switch (c) {
      case LF:
        f.lf = true
        break
      case CR:
        f.cr = true
        break
      case 0x23: // #
        f.hash = true
        break
      case 0:
        f.nul = true
        break
      case 0x27: // '
        if (previous !== BACKSLASH) f.bareSingle = true
        break
      case 0x22: // "
        if (previous !== BACKSLASH) f.bareDouble = true
        break
      case 0x60: // `
        if (previous !== BACKSLASH) f.bareBacktick = true
        break
      case 0x6e: // n
      case 0x72: // r
        if (previous === BACKSLASH) f.escapePair = true
        break
      default:
        if (c >= 0xd800 && c <= 0xdbff) {
          const next = value.charCodeAt(i + 1)
          if (next >= 0xdc00 && next <= 0xdfff) i++
          else f.unpairedSurrogate = true
        } else if (c >= 0xdc00 && c <= 0xdfff) {
          f.unpairedSurrogate = true
        } else if ((c === 0x2028 || c === 0x2029) && QUOTE_CHARS.includes(value.charAt(i + 1))) {
          f.separatorBeforeQuote = true
        }
    }
    previous = c
  }
  return f
}

const endsWithBackslash = (value: string) => value.charCodeAt(value.length - 1) === BACKSLASH

/** `q…q`, with the guard comment when the content ends with a backslash. */
function quoted(q: string, content: string, value: string): string {
  return endsWithBackslash(value) ? `${q}${content}${q} #${q}.` : `${q}${content}${q}`
}

const escapeLineBreaks = (value: string) => value.replace(/\r|\n/g, (c) => (c === '\n' ? '\\n' : '\\r'))

function plainAllowed(value: string, f: Features): boolean {
  return (
    value.length > 0 &&
    !f.hash &&
    !f.cr &&
    !f.lf &&
    !f.separatorBeforeQuote &&
    !QUOTE_CHARS.includes(value.charAt(0)) &&
    !SPACE.test(value.charAt(0)) &&
    !SPACE.test(value.charAt(value.length - 1))
  )
}

/**
 * The "…"+ form: LINE's "…" alternative can close only at a `"` up to the first unescaped one;
 * none of them may be followed by whitespace reaching a U+2028/U+2029 (where `$` would match).
 * Line breaks do not count: they are written as `\n`/`\r`, which are not whitespace.
 */
function openDoubleAllowed(value: string, f: Features): boolean {
  if (!f.bareDouble || f.hash || f.escapePair) return false
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) !== 0x22) continue
    for (let j = i + 1; j < value.length; j++) {
      const c = value.charCodeAt(j)
      if (c === 0x2028 || c === 0x2029) return false
      if (c === LF || c === CR || !SPACE.test(value.charAt(j))) break
    }
    if (i === 0 || value.charCodeAt(i - 1) !== BACKSLASH) return true // the first unescaped `"`
  }
  return true
}

export type EncodeResult = {ok: true; text: string} | {ok: false; reason: string}

/** The text after `KEY=` that dotenv reads back as exactly `value`, or why there is none. */
export function encodeDotenvValue(value: string): EncodeResult {
  if (SAFE.test(value)) return {ok: true, text: value}
  const f = features(value)
  if (f.nul) return {ok: false, reason: 'it contains a NUL character, which an environment variable cannot hold'}
  if (f.unpairedSurrogate) return {ok: false, reason: 'it is not valid Unicode (an unpaired UTF-16 surrogate)'}

  // A trailing backslash would need the guard comment in quotes; unquoted reads better.
  if (endsWithBackslash(value) && plainAllowed(value, f)) return {ok: true, text: value}
  const doubleOk = !f.bareDouble && !f.escapePair
  const multiline = f.lf || f.cr
  if (multiline && doubleOk) return {ok: true, text: quoted('"', escapeLineBreaks(value), value)}
  if (!f.bareSingle && !f.cr) return {ok: true, text: quoted("'", value, value)}
  if (doubleOk) return {ok: true, text: quoted('"', escapeLineBreaks(value), value)}
  if (!f.bareBacktick && !f.cr) return {ok: true, text: quoted('`', value, value)}
  if (plainAllowed(value, f)) return {ok: true, text: value}
  if (openDoubleAllowed(value, f)) return {ok: true, text: `"${escapeLineBreaks(value)}"`}
  return {ok: false, reason: unrepresentableReason(f)}
}

function unrepresentableReason(f: Features): string {
  const parts: string[] = []
  if (f.cr) parts.push('a carriage return')
  if (f.lf) parts.push('a line feed')
  if (f.escapePair) parts.push('a literal backslash-n or backslash-r')
  const quotes = [f.bareSingle && "'", f.bareDouble && '"', f.bareBacktick && '`'].filter(Boolean)
  if (quotes.length > 0) parts.push(`unescaped ${quotes.join(' ')} quotes`)
  if (f.hash) parts.push('"#"')
  return `the dotenv format has no quoting for this combination (${parts.join(', ')})`
}

/**
 * The whole .env file: `KEY=value` lines in code-point order of the names, UTF-8, final LF (an
 * empty map gives an empty file). Throws a general BellaError naming the first secret that cannot
 * be written; then nothing is written.
 */
export function renderDotenv(secrets: Secrets): string {
  const lines: string[] = []
  for (const name of sortedKeys(secrets)) {
    if (!NAME.test(name) || name === '__proto__') {
      throw generalError(`secret ${quoteText(name)} cannot be written to a .env file: ${name === '__proto__' ? 'dotenv parsers drop that name' : 'a dotenv name is letters, digits, "_", "." and "-"'}`, {
        code: 'dotenv_invalid_name',
        suggestions: ['rename the secret, or write this environment with a json or yaml sink'],
      })
    }
    const value = secrets[name]
    if (typeof value !== 'string') {
      throw generalError(`secret ${quoteText(name)} is not a string`, {code: 'dotenv_invalid_value'})
    }
    const encoded = encodeDotenvValue(value)
    if (!encoded.ok) {
      throw generalError(`the value of secret ${quoteText(name)} cannot be written to a .env file so that it reads back exactly: ${encoded.reason}`, {
        code: 'dotenv_unrepresentable_value',
        suggestions: ['change the value (for example LF instead of CRLF line endings), or use a json or yaml sink'],
      })
    }
    lines.push(`${name}=${encoded.text}\n`)
  }
  return lines.join('')
}
