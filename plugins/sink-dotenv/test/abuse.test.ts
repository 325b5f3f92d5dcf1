// Property-based abuse tests: any name and value the API can hold is either written so that dotenv
// reads it back exactly, or refused with an error naming the secret (never its value).
import {afterEach, describe, expect, it} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import dotenv from 'dotenv'
import fc from 'fast-check'
import {isBellaError, quoteText} from '@bella/core'
import {controlIn, sameSecrets, secretsMap} from '../../../test/helpers/abuse.js'
import {tempDirs} from '../../../packages/core/test/config/temp-dir.js'
import {dotenvSink, renderDotenv} from '../src/index.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

/** The refusal names one of the secrets (quoted as bella quotes names), holds no value, no control character. */
function expectGoodRefusal(error: unknown, secrets: Record<string, string>): void {
  expect(isBellaError(error)).toBe(true)
  const message = (error as Error).message
  const names = Object.keys(secrets)
  expect(names.some((name) => message.includes(`secret ${quoteText(name)}`))).toBe(true)
  expect(controlIn(message)).toBeUndefined()
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length >= 6 && !quoteText(name).includes(value)) expect(message.includes(value)).toBe(false)
  }
}

describe('dotenv sink: abuse', () => {
  it('renders any secrets so that dotenv.parse reads back exactly them, or refuses naming a secret', () => {
    fc.assert(
      fc.property(secretsMap, (secrets) => {
        let text: string
        try {
          text = renderDotenv(secrets)
        } catch (error) {
          expectGoodRefusal(error, secrets)
          return
        }
        expect(sameSecrets(dotenv.parse(text), secrets)).toBe(true)
      }),
      {numRuns: 400},
    )
  })

  it('through createFileSink, a written file reads back exactly; a refused write leaves no file', async () => {
    await fc.assert(
      fc.asyncProperty(secretsMap, async (secrets) => {
        const dir = dirs.make('bella-abuse-dotenv-')
        const sink = dotenvSink.create({path: '.env'}, {baseDir: dir})
        try {
          await sink.write(secrets)
        } catch (error) {
          expectGoodRefusal(error, secrets)
          expect(() => readFileSync(join(dir, '.env'))).toThrow()
          return
        }
        expect(sameSecrets(await dotenvSink.parse!(readFileSync(join(dir, '.env'), 'utf8')), secrets)).toBe(true)
      }),
      {numRuns: 60},
    )
  })

  it('refuses a name with terminal escapes or line breaks, showing it escaped on one line', () => {
    for (const name of ['X\x1b[2J', 'A\x9b31m', 'A\u2028B', 'A\rB', 'A\nB=1']) {
      let error: unknown
      try {
        renderDotenv({[name]: 'v'})
      } catch (caught) {
        error = caught
      }
      expectGoodRefusal(error, {[name]: 'v'})
      expect((error as Error).message).not.toContain('\n')
    }
  })
})
