import {describe, expect, it} from '@jest/globals'
import {BellaError, isBellaError} from '../src/errors.js'
import {inspect} from 'node:util'
import {createRedactor, redactError, REDACTED} from '../src/redact.js'

describe('createRedactor', () => {
  it('replaces every known value of 4 or more characters, wherever it occurs', () => {
    const redact = createRedactor(['hunter2-abc', 'tok', 'p4ss'])
    expect(redact('a hunter2-abc b hunter2-abc p4ss tok')).toBe(`a ${REDACTED} b ${REDACTED} ${REDACTED} tok`)
  })

  it('prefers the longest value when one contains another', () => {
    const redact = createRedactor(['abcd', 'xxabcdxx'])
    expect(redact('[xxabcdxx] [abcd]')).toBe(`[${REDACTED}] [${REDACTED}]`)
  })

  it("also catches the escaped forms Node's own messages show (inspect, JSON) and their 128-character cut", () => {
    const value = `hunter2-${'x'.repeat(200)}\u0000rest'"`
    const redact = createRedactor([value])
    const nodeMessage = `Received ${inspect(value).slice(0, 128)}...`
    expect(redact(nodeMessage)).not.toContain('hunter2-xxxxxxxx')
    expect(redact(JSON.stringify({value}))).not.toContain('hunter2')
  })

  it('treats values as text, not patterns', () => {
    const redact = createRedactor(['a.*b', '$&$&'])
    expect(redact('a.*b aXXb $&$&')).toBe(`${REDACTED} aXXb ${REDACTED}`)
  })

  it('leaves text alone when there is nothing to redact', () => {
    expect(createRedactor([])('hello')).toBe('hello')
    expect(createRedactor(['abc'])('abc')).toBe('abc')
  })
})

describe('redactError', () => {
  it("returns bella's own errors untouched: they quote foreign text only through a redactor", () => {
    const error = new BellaError('cannotExecute', 'Cannot start true: permission denied', {code: 'x'})
    expect(redactError(error, createRedactor(['true']))).toBe(error)
  })

  it('turns anything else into a general bella error with a redacted message and no cause', () => {
    const redacted = redactError(new TypeError("must not be 'hunter2-abc'"), createRedactor(['hunter2-abc'])) as BellaError
    expect(isBellaError(redacted)).toBe(true)
    expect(redacted.kind).toBe('general')
    expect(redacted.message).toBe(`must not be '${REDACTED}'`)
    expect(redacted.cause).toBeUndefined()
  })
})

describe('createRedactor: large values', () => {
  it('redacts a 140 KB value (too big for a regular expression) and its cut form', () => {
    const value = `big-${'x'.repeat(140 * 1024)}`
    const redact = createRedactor([value, 'small-one'])
    expect(redact(`a ${value} b small-one c ${value.slice(0, 100)}...`)).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED}...`)
  })
})
