// The shared helper every message uses to show a name or foreign text (see src/display.ts).
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {escapeControls, isPrintable, oneLine, quoteName, quoteText} from '../src/display.js'
import {anyText, controlIn, secretName} from '../../../test/helpers/abuse.js'

const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

describe('display helpers: abuse', () => {
  it('quoteName and quoteText print any name as one inert line that JSON.parse turns back into the name', () => {
    fc.assert(
      fc.property(secretName, (name) => {
        for (const shown of [quoteName(name), quoteText(name)]) {
          expect(shown.includes('\n')).toBe(false)
          expect(controlIn(shown)).toBeUndefined()
          expect(BIDI.test(shown) || LONE_SURROGATE.test(shown)).toBe(false)
          expect(isPrintable(shown)).toBe(true)
          // Unambiguous: a quoted name reads back as exactly the name; a bare one is an identifier.
          if (shown.startsWith('"')) expect(JSON.parse(shown)).toBe(name)
          else expect(shown).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        }
      }),
      {numRuns: 500},
    )
  })

  it('oneLine keeps any text on one line without control characters, and leaves printable text alone', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const line = oneLine(text)
        expect(line.includes('\n')).toBe(false)
        expect(controlIn(line)).toBeUndefined()
        if (isPrintable(text)) expect(escapeControls(text)).toBe(text)
      }),
      {numRuns: 300},
    )
  })

  it('escapes what JSON.stringify leaves raw: DEL, C1 (the 8-bit CSI), U+2028/9, bidi overrides, the BOM', () => {
    expect(quoteText('\x7f\x9b31m\u2028\u2029\u202e\ufeff')).toBe('"\\u007f\\u009b31m\\u2028\\u2029\\u202e\\ufeff"')
    expect(quoteName('A\x1b[2JB=1\nC')).toBe('"A\\u001b[2JB=1\\nC"')
    expect(quoteName('DB_URL')).toBe('DB_URL')
    expect(quoteName('__proto__')).toBe('__proto__')
    expect(quoteName('my key')).toBe('"my key"')
    expect(quoteText('DB_URL')).toBe('"DB_URL"')
  })

  it('cuts long text, saying how long it was', () => {
    expect(quoteText('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…" (100 characters)`)
    expect(quoteName('A'.repeat(100), 10)).toBe(`"${'A'.repeat(10)}…" (100 characters)`)
    expect(quoteText('short', 10)).toBe('"short"')
  })
})
