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
  it('keeps kind, code and suggestions of a bella error, with every value redacted and no cause', () => {
    const cause = new Error('raw hunter2-abc')
    const error = new BellaError('cannotExecute', 'failed: hunter2-abc', {code: 'x', suggestions: ['not hunter2-abc'], cause})
    const redacted = redactError(error, createRedactor(['hunter2-abc']))
    expect(isBellaError(redacted) && redacted.kind).toBe('cannotExecute')
    expect(redacted.message).toBe(`failed: ${REDACTED}`)
    expect((redacted as BellaError).suggestions).toEqual([`not ${REDACTED}`])
    expect((redacted as BellaError).code).toBe('x')
    expect(redacted.cause).toBeUndefined()
  })

  it('turns anything else into a general bella error with a redacted message', () => {
    const redacted = redactError(new TypeError("must not be 'hunter2-abc'"), createRedactor(['hunter2-abc']))
    expect(isBellaError(redacted)).toBe(true)
    expect(redacted.message).toBe(`must not be '${REDACTED}'`)
  })
})
