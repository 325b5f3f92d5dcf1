/**
 * The streaming masker behind `bella run --mask`: exact values (over 3 characters) become *****
 * in a byte stream, whatever the chunking, with bytes that are not UTF-8 passed through.
 * Assertions compare masked output; no test prints a value.
 */
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {randomBytes} from 'node:crypto'
import {MASK, MaskDictionary, maskPatterns, StreamMasker} from '../../src/process/mask/masker.js'
import {secretValue} from '../../../../test/helpers/abuse.js'

// The abuse values, up to a size that keeps 300 runs quick (long values have tests of their own).
const shortSecretValue = secretValue.filter((value) => value.length <= 80)

const bytes = (text: string | Buffer) => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text)

/** Masks `input` written in the pieces that `cuts` (ascending offsets) make. */
function mask(values: string[], input: string | Buffer, cuts: number[] = []): Buffer {
  const masker = new StreamMasker(MaskDictionary.fromValues(values))
  const longest = Math.max(1, ...maskPatterns(values).map((p) => p.length))
  const data = bytes(input)
  const out: Buffer[] = []
  let from = 0
  for (const cut of [...cuts, data.length]) {
    out.push(masker.write(data.subarray(from, cut)))
    from = cut
    expect(masker.heldBytes).toBeLessThan(longest)
  }
  out.push(masker.end())
  return Buffer.concat(out)
}

/** The definition, written plainly: every occurrence of every pattern; overlapping ones merged. */
function reference(values: string[], input: Buffer): Buffer {
  const ranges: Array<[number, number]> = []
  for (const pattern of maskPatterns(values)) {
    for (let at = input.indexOf(pattern); at !== -1; at = input.indexOf(pattern, at + 1)) ranges.push([at, at + pattern.length])
  }
  ranges.sort((a, b) => a[0] - b[0])
  const out: Buffer[] = []
  let written = 0
  let end = -1
  for (const [start, stop] of ranges) {
    if (start < end) {
      end = Math.max(end, stop)
      continue
    }
    if (end > written) written = end
    out.push(input.subarray(written, start), Buffer.from(MASK))
    written = start
    end = stop
  }
  if (end > written) written = end
  out.push(input.subarray(written))
  return Buffer.concat(out)
}

describe('StreamMasker', () => {
  it('masks every occurrence of a value, on any line, once per occurrence', () => {
    const out = mask(['s3cr3t-token'], 'a=s3cr3t-token\nb=s3cr3t-tokens3cr3t-token!\n').toString()
    expect(out).toBe('a=*****\nb=**********!\n')
  })

  it('leaves values of 3 characters or fewer alone, counting characters, not bytes', () => {
    expect(mask(['abc', 'éé', 'x'], 'abc éé x').toString()).toBe('abc éé x')
    expect(mask(['abcd', 'éééé'], 'abcd éééé').toString()).toBe('***** *****')
  })

  it('lets the longest value win where values overlap, leaving no part of either', () => {
    expect(mask(['abcd', 'abcdefgh'], '[abcdefgh]').toString()).toBe('[*****]')
    expect(mask(['abcdefgh', 'cdef'], '[abcdefgh][cdef]').toString()).toBe('[*****][*****]')
    // Overlapping occurrences of different values become one mask: no byte of either shows.
    expect(mask(['abcdef', 'defghi'], '[abcdefghi]').toString()).toBe('[*****]')
    expect(mask(['aaaa'], 'aaaaaaa!').toString()).toBe('*****!')
  })

  it('masks a multi-line value line by line (lines over 3 characters), whatever the line endings', () => {
    const pem = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nab\n-----END KEY-----'
    expect(mask([pem], pem.replace(/\n/g, '\r\n')).toString()).toBe('*****\r\n*****\r\nab\r\n*****')
    expect(mask([pem], '  MIIBOgIBAAJBAKj34GkxFhD9  ').toString()).toBe('  *****  ')
    expect(mask(['one-line\r\ntwo-line'], 'two-line one-line').toString()).toBe('***** *****')
  })

  it('passes bytes that are not UTF-8 through untouched, masking values between them', () => {
    const junk = Buffer.from([0xff, 0xfe, 0x80, 0xc3, 0x00, 0xed, 0xa0, 0x80])
    const input = Buffer.concat([junk, bytes('pa55word'), junk, bytes('pässword'), Buffer.from([0xc3])])
    const out = mask(['pa55word', 'pässword'], input)
    expect(out.equals(Buffer.concat([junk, bytes(MASK), junk, bytes(MASK), Buffer.from([0xc3])]))).toBe(true)
  })

  it('masks a value split across writes at every offset, and byte by byte', () => {
    const values = ['correct-horse', 'horse-battery', 'staple\nline-two', 'zzzz']
    const input = 'x correct-horse-battery staple\nline-two zzzzz horse correct-hors'
    const whole = mask(values, input)
    expect(whole.toString()).toBe('x ***** *****\n***** ***** horse correct-hors')
    const n = Buffer.byteLength(input)
    for (let i = 0; i <= n; i++) {
      expect(mask(values, input, [i]).equals(whole)).toBe(true)
      for (let j = i; j <= n; j += 7) expect(mask(values, input, [i, j]).equals(whole)).toBe(true)
    }
    expect(mask(values, input, Array.from({length: n}, (_, i) => i)).equals(whole)).toBe(true)
  })

  it('finds short values (4 to 7 bytes) beside long ones, whether few or many, at every split', () => {
    const long = ['a-long-secret-value', 'another-long-one']
    const few = ['true', 'debug', '8080']
    const many = Array.from({length: 12}, (_, i) => `k${i}x${i}`)
    for (const values of [[...long, ...few], [...long, ...few, ...many], few]) {
      const input = Buffer.from(`x=true; y=debug8080 a-long-secret-valuetrue k3x3 k11x11 another-long-debug tru`)
      const whole = mask(values, input)
      expect(whole.equals(reference(values, input))).toBe(true)
      for (let i = 0; i <= input.length; i++) expect(mask(values, input, [i]).equals(whole)).toBe(true)
    }
  })

  it('keeps back only what could still become a value, and gives it back at the end', () => {
    const masker = new StreamMasker(MaskDictionary.fromValues(['secret-value']))
    expect(masker.write(bytes('plain text, then secr')).toString()).toBe('plain text, then ')
    expect(masker.heldBytes).toBe(4)
    expect(masker.write(bytes('et')).toString()).toBe('')
    expect(masker.write(bytes('ary')).toString()).toBe('secretary')
    expect(masker.write(bytes(' secret-val')).toString()).toBe(' ')
    expect(masker.end().toString()).toBe('secret-val')
  })

  it('masks 1000 values in one stream', () => {
    const values = Array.from({length: 1000}, (_, i) => `${randomBytes(9).toString('base64')}-${i}`)
    const input = values.map((v, i) => `line ${i}: ${v} and ${values[(i * 7) % 1000]}\n`).join('')
    const out = mask(values, input, [1000, 5000, 20_000]).toString()
    expect(out.split('\n').slice(0, 3)).toEqual(['line 0: ***** and *****', 'line 1: ***** and *****', 'line 2: ***** and *****'])
    expect(out.split(MASK).length - 1).toBe(2000)
    expect(values.some((v) => out.includes(v))).toBe(false)
  })

  it('masks long values (a 64 KiB one, a PEM block) written in 1 KiB pieces', () => {
    const long = randomBytes(48 * 1024).toString('base64')
    const pem = `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`
    const input = `a ${long} b\n${pem}\nc ${long.slice(0, 1000)}`
    const cuts = Array.from({length: Math.floor(Buffer.byteLength(input) / 1024)}, (_, i) => (i + 1) * 1024)
    const out = mask([long, pem], input, cuts).toString()
    expect(out.startsWith('a ***** b\n*****\n*****')).toBe(true)
    expect(out.endsWith(`c ${long.slice(0, 1000)}`)).toBe(true)
    expect(out.includes(long)).toBe(false)
  })

  it('with no value to mask, passes the stream through as is', () => {
    expect(mask([], 'anything at all').toString()).toBe('anything at all')
    expect(mask(['ab', ''], 'ab').toString()).toBe('ab')
  })

  it('property: any values, any text made of them, any chunking: the same as masking it whole', () => {
    const fragment = (values: string[]) =>
      fc.oneof(
        fc.constantFrom(...values, 'x').chain((v) => fc.tuple(fc.nat(v.length), fc.nat(v.length)).map(([a, b]) => v.slice(Math.min(a, b), Math.max(a, b)))),
        fc.constantFrom(...values, '\n', '\r\n', 'zz'),
        fc.uint8Array({maxLength: 6}).map((b) => Buffer.from(b).toString('latin1')),
      )
    fc.assert(
      fc.property(
        fc.array(shortSecretValue, {minLength: 1, maxLength: 12}).chain((values) =>
          fc.tuple(fc.constant(values), fc.array(fragment(values), {maxLength: 30}), fc.array(fc.nat(), {maxLength: 8})),
        ),
        ([values, pieces, cutSeeds]) => {
          const input = Buffer.concat(pieces.map((p) => bytes(p)))
          const cuts = [...new Set(cutSeeds.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
          expect(mask(values, input, cuts).equals(reference(values, input))).toBe(true)
        },
      ),
      {numRuns: 300},
    )
  })
})
