// Property-based abuse tests: JSON can hold any name and value, so every secrets map is written and
// JSON.parse reads it back exactly (lone surrogates, NUL, `__proto__` and 70 KB values included).
import {afterEach, describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {assertFileSinkRoundTrip, sameSecrets, secretsMap} from '../../../test/helpers/abuse.js'
import {tempDirs} from '../../../packages/core/test/config/temp-dir.js'
import {jsonSink, renderJson} from '../src/index.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('json sink: abuse', () => {
  it('renders any secrets so that JSON.parse reads back exactly them', () => {
    fc.assert(
      fc.property(secretsMap, (secrets) => {
        const text = renderJson(secrets)
        expect(sameSecrets(JSON.parse(text), secrets)).toBe(true)
        // Whatever the names and values, the file is plain ASCII-safe JSON lines: no raw control characters.
        expect(/[\u0000-\u0009\u000b-\u001f]/.test(text)).toBe(false)
      }),
      {numRuns: 400},
    )
  })

  it('through createFileSink, every written file reads back exactly', async () => {
    await assertFileSinkRoundTrip(jsonSink, 'secrets.json', () => dirs.make('bella-abuse-json-'))
  })
})
