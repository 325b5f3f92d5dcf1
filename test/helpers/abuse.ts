/**
 * fast-check arbitraries for the abuse (property-based) tests: secret names and values as hostile
 * as the API can hold, and checks on what bella prints. Shared by the packages' own tests.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from '@jest/globals'
import fc from 'fast-check'
import type {SinkDefinition} from '../../packages/core/src/strategies/types.js'

/** Characters that break formats and terminals, weighted in next to arbitrary UTF-16 units. */
const NASTY = [
  '\n', '\r', '\r\n', '\t', ' ', '\0', '"', "'", '`', '#', '$', '${A}', '=', '\\', '\\n', '\\r', ':', '- ', '? ', '{', '}', '[', ']', ',',
  '&a', '*a', '!', '|', '>', '%', '@', '<<', '\x1b', '\x1b[31m', '\x9b', '\x85', '\x7f', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff',
  '\ud800', '\udfff', '\ud83d\ude80', 'é', '\u202e', '\u200b', 'n', 'r', 'A', '_', '.', '-',
]

/** One "character": a nasty one, any UTF-16 unit (lone surrogates included), or any code point. */
export const unit: fc.Arbitrary<string> = fc.oneof(
  {weight: 3, arbitrary: fc.constantFrom(...NASTY)},
  {weight: 2, arbitrary: fc.integer({min: 0, max: 0xffff}).map((c) => String.fromCharCode(c))},
  {weight: 1, arbitrary: fc.integer({min: 0, max: 0x10ffff}).map((c) => String.fromCodePoint(c))},
  {weight: 3, arbitrary: fc.constantFrom(...'abcXYZ019_')},
)

/** Any string the API can hold, short or very long. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  {weight: 8, arbitrary: fc.string({unit, maxLength: 24})},
  {weight: 1, arbitrary: fc.string({unit: 'binary', maxLength: 40})},
  {weight: 1, arbitrary: fc.tuple(fc.string({unit, maxLength: 4}), fc.integer({min: 1000, max: 70_000})).map(([s, n]) => (s || 'x').repeat(Math.ceil(n / (s.length || 1))).slice(0, n))},
)

const SPECIAL_NAMES = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'a b', 'a.b', 'a-b', '.env', '-x', '--flag',
  '<<', 'true', 'null', '~', 'yes', 'on', '0', '1e3', '0x10', 'DB_URL', 'PATH', 'LD_PRELOAD', 'A=B', 'A\nB=1', 'X\x1b[2J', '\x9b31m',
]

/** Any secret name: identifiers, names with dots/dashes/spaces, object-prototype words, garbage. */
export const secretName: fc.Arbitrary<string> = fc.oneof(
  {weight: 2, arbitrary: fc.constantFrom(...SPECIAL_NAMES)},
  {weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][\w.-]{0,15}$/)},
  {weight: 3, arbitrary: anyText},
)

/** Any value, with an extra share of long ones. */
export const secretValue: fc.Arbitrary<string> = anyText

/** A secrets map built with own properties (`__proto__` stays an ordinary key), 0–8 entries. */
export const secretsMap: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.tuple(secretName, secretValue), {selector: ([name]) => name, maxLength: 8})
  .map((entries) => Object.fromEntries(entries))

/** True when `a` and `b` hold exactly the same own string entries (no extra or missing keys). */
export function sameSecrets(a: unknown, b: Readonly<Record<string, string>>): boolean {
  if (typeof a !== 'object' || a === null) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => Object.hasOwn(b, k) && (a as Record<string, unknown>)[k] === b[k])
}

/** C0 controls except LF, DEL, C1 controls (incl. the 8-bit CSI \x9b), and U+2028/U+2029 line separators. */
export const CONTROL_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/

/** The first control character (other than LF) in `text`, as `U+XXXX at N`, or undefined. */
export function controlIn(text: string): string | undefined {
  const match = CONTROL_EXCEPT_LF.exec(text)
  return match ? `U+${match[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${match.index}` : undefined
}

/** A file sink's round trip: whatever secrets it writes through createFileSink, its own parser reads back exactly. */
export async function assertFileSinkRoundTrip(sink: SinkDefinition, file: string, makeDir: () => string, numRuns = 60): Promise<void> {
  await fc.assert(
    fc.asyncProperty(secretsMap, async (secrets) => {
      const dir = makeDir()
      await sink.create({path: file}, {baseDir: dir}).write(secrets)
      expect(sameSecrets(await sink.parse!(readFileSync(join(dir, file), 'utf8')), secrets)).toBe(true)
    }),
    {numRuns},
  )
}
