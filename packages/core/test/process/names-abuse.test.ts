// Property-based abuse tests: a secret's name, whatever it holds, cannot inject lines, escape
// sequences or other names into bella's warnings and errors; values never appear at all.
import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {quoteName} from '../../src/display.js'
import {parseAllEnvironmentSecrets, parseSecretsPayload} from '../../src/api/secrets-response.js'
import {buildChildEnv, describeWithheld, describeSealed} from '../../src/process/env.js'
import {spawnSizeError} from '../../src/process/limits.js'
import {controlIn, secretName, secretsMap, secretValue} from '../../../../test/helpers/abuse.js'

/** One line, no control character; each value of 6+ characters absent (unless the name itself shows it). */
function expectSafeLine(text: string, secrets: Readonly<Record<string, string>> = {}): void {
  expect(text.includes('\n')).toBe(false)
  expect(controlIn(text)).toBeUndefined()
  const shownNames = Object.keys(secrets).map((name) => quoteName(name, 200)).join(' ')
  for (const value of Object.values(secrets)) {
    if (value.length >= 6 && !shownNames.includes(value)) expect(text.includes(value)).toBe(false)
  }
}

const sealedish = fc.oneof(secretValue, secretValue.map((v) => `bellabaxter:v1:${v}`), fc.constant('a\0b'))
const hostileSecrets = fc
  .uniqueArray(fc.tuple(secretName, sealedish), {selector: ([name]) => name, maxLength: 8})
  .map((entries) => Object.fromEntries(entries))

describe('names in messages: abuse', () => {
  it('the withheld warning of bella run is one safe line listing every withheld name, quoted', () => {
    fc.assert(
      fc.property(hostileSecrets, fc.boolean(), (secrets, allowReserved) => {
        const {withheld} = buildChildEnv({inherited: {}, secrets, passCredentials: false, allowReserved})
        const warning = describeWithheld(withheld, {allowFlag: '--allow-reserved-env'})
        if (withheld.length === 0) return expect(warning).toBeUndefined()
        expectSafeLine(warning!, secrets)
        for (const {name} of withheld) expect(warning).toContain(quoteName(name, 200))
      }),
      {numRuns: 400},
    )
  })

  it('a response with a non-string value is refused naming the secret on one safe line', () => {
    fc.assert(
      fc.property(secretsMap, secretName, fc.constantFrom(1, null, true, {}, []), (secrets, bad, value) => {
        const body = {environmentSlug: 'dev', environmentName: 'Dev', version: 1, lastModified: 'x', secrets: {...secrets, [bad]: value}}
        Object.defineProperty(body.secrets, bad, {value, enumerable: true})
        for (const parse of [() => parseAllEnvironmentSecrets(body, '/api/v1/x', 'dev'), () => parseSecretsPayload({secrets: body.secrets}, '/api/v1/x')]) {
          let message = ''
          try {
            parse()
          } catch (error) {
            message = (error as Error).message
          }
          expect(message).toContain(quoteName(bad, 200))
          expectSafeLine(message, secrets)
        }
      }),
      {numRuns: 200},
    )
  })

  it('the too-large-environment error shows names safely', () => {
    fc.assert(
      fc.property(fc.array(secretName, {minLength: 1, maxLength: 5}), (names) => {
        const variable = spawnSizeError({kind: 'variable', name: names[0]!, bytes: 200_000, limit: 131_072}, 'app')
        const total = spawnSizeError({kind: 'total', bytes: 9e6, limit: 2e6, largest: names.map((name) => ({name, bytes: 10}))}, 'app')
        for (const error of [variable, total]) {
          expectSafeLine(error.message)
          for (const suggestion of error.suggestions) expectSafeLine(suggestion)
        }
      }),
      {numRuns: 200},
    )
  })

  // Found by the properties: JSON.stringify leaves DEL, C1 (U+009B, the 8-bit CSI) and U+2028 raw.
  it('escapes an 8-bit CSI, DEL and a line separator in a withheld or sealed name', () => {
    const warning = describeWithheld([
      {name: 'A\x9b2J', reason: 'invalid-name'},
      {name: 'B\u2028C', reason: 'reserved'},
      {name: 'D\x7f', reason: 'nul-byte'},
    ])!
    expect(warning).toContain('"A\\u009b2J"')
    expect(warning).toContain('"B\\u2028C"')
    expect(warning).toContain('"D\\u007f"')
    expectSafeLine(warning)
    expectSafeLine(describeSealed(['X\x9bY'].map((name) => quoteName(name))))
  })
})
