// Property-based abuse tests of the agent's event log: whatever names, labels and foreign error
// messages an event carries, each event is one line without control characters; in JSON, one
// parseable object that gives back exactly what was logged.
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {quoteName} from '@bella/core'
import {anyText, controlIn, secretName, secretValue} from '../../../test/helpers/abuse.js'
import {emitFetched} from '../src/events.js'
import {createAgentLog, type AgentEvent, type LogFormat} from '../src/log.js'
import {mergeWatchSecrets} from '../src/merge.js'

const clock = () => new Date('2026-05-01T12:00:00Z')

function record(format: LogFormat) {
  const lines: string[] = []
  return {lines, log: createAgentLog({format, verbose: true, clock, write: (line) => lines.push(line)})}
}

/** Every write is exactly one line, free of control characters; JSON ones parse to one object each. */
function expectSafeLines(lines: string[], format: LogFormat): Record<string, unknown>[] {
  return lines.map((line) => {
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1).includes('\n')).toBe(false)
    expect(controlIn(line)).toBeUndefined()
    if (format === 'text') return {}
    const parsed = JSON.parse(line) as Record<string, unknown>
    expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true)
    return parsed
  })
}

const level = fc.constantFrom('debug', 'info', 'warn', 'error') as fc.Arbitrary<AgentEvent['level']>
const formats: LogFormat[] = ['text', 'json']

describe('agent log: abuse', () => {
  it('any message and fields: one safe line per event; JSON gives back exactly the message and fields', () => {
    fc.assert(
      fc.property(anyText, level, secretName, fc.array(anyText, {maxLength: 3}), (message, lvl, field, list) => {
        for (const format of formats) {
          const {lines, log} = record(format)
          log.emit({event: 'notice', level: lvl, message, watch: field, keys: list})
          expect(lines).toHaveLength(1)
          const [parsed] = expectSafeLines(lines, format)
          if (format === 'json') expect(parsed).toEqual({time: '2026-05-01T12:00:00.000Z', level: lvl, event: 'notice', message, watch: field, keys: list})
        }
      }),
      {numRuns: 300},
    )
  })

  it('collisions between watches: names quoted in the message, listed exactly in the JSON keys', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secretName, {minLength: 1, maxLength: 6}), secretValue, (names, value) => {
        for (const format of formats) {
          const {lines, log} = record(format)
          const a = Object.fromEntries(names.map((n) => [n, value]))
          const b = Object.fromEntries(names.map((n) => [n, `${value}2`]))
          const merged = mergeWatchSecrets([{label: 'shop/dev', secrets: a}, {label: 'shop/prod', secrets: b}], new Set(), log)
          expect(Object.keys(merged)).toEqual(Object.keys(b))
          const [parsed] = expectSafeLines(lines, format)
          // Object key order puts integer-like names first; compare as sets.
          if (format === 'json') expect([...(parsed!.keys as string[])].sort()).toEqual(Object.keys(b).sort())
          for (const name of names.slice(0, 20)) expect(lines[0]).toContain(format === 'text' ? quoteName(name, 200) : JSON.stringify(quoteName(name, 200)).slice(1, -1))
        }
      }),
      {numRuns: 200},
    )
  })

  it('sealed values: the withheld warning names them safely, the JSON keys list them exactly', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secretName, {minLength: 1, maxLength: 6}), (sealed) => {
        for (const format of formats) {
          const {lines, log} = record(format)
          emitFetched(log, 'shop/dev', {marker: 'm', secrets: {}, digest: 'd', sealed}, true)
          expect(lines).toHaveLength(2)
          const parsed = expectSafeLines(lines, format)
          if (format === 'json') expect(parsed[1]!.keys).toEqual(sealed)
        }
      }),
      {numRuns: 200},
    )
  })

  // Found by the properties.
  it('a colliding name holding " (" is listed whole in the JSON keys (it was cut at " (")', () => {
    const {lines, log} = record('json')
    mergeWatchSecrets([{label: 'a/b', secrets: {'X (y)': '1'}}, {label: 'a/c', secrets: {'X (y)': '2'}}], new Set(), log)
    expect(JSON.parse(lines[0]!).keys).toEqual(['X (y)'])
  })

  it('a colliding name with an escape sequence or CR is escaped in text and JSON (it was printed raw)', () => {
    for (const format of formats) {
      const {lines, log} = record(format)
      mergeWatchSecrets([{label: 'a/b', secrets: {'A\x1b[2J\rB': '1', 'C\x9bD': '1'}}, {label: 'a/c', secrets: {'A\x1b[2J\rB': '2', 'C\x9bD': '2'}}], new Set(), log)
      expectSafeLines(lines, format)
      expect(lines[0]).toContain(format === 'text' ? '"A\\u001b[2J\\rB"' : '\\"A\\\\u001b[2J\\\\rB\\"')
    }
  })

  it('a JSON log line escapes C1 controls and line separators that JSON.stringify leaves raw', () => {
    const {lines, log} = record('json')
    log.emit({event: 'error', level: 'error', message: 'boom \x9b31m \u2028 \x85', path: '/tmp/\x7f'})
    expectSafeLines(lines, 'json')
    expect(JSON.parse(lines[0]!)).toMatchObject({message: 'boom \x9b31m \u2028 \x85', path: '/tmp/\x7f'})
  })
})
