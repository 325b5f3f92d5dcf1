import {describe, expect, it} from '@jest/globals'
import {parseAllEnvironmentSecrets, parseSecretsPayload} from '../../src/api/secrets-response.js'
import {ExitCode, isBellaError, type BellaError} from '../../src/errors.js'

const PATH = '/api/v1/projects/p/environments/e/secrets'
const full = (secrets: unknown) => ({environmentSlug: 'e', environmentName: 'E', secrets, version: 7, lastModified: '2026-01-01T00:00:00Z'})

function thrown(fn: () => unknown): BellaError {
  try {
    fn()
  } catch (error) {
    if (isBellaError(error)) return error
    throw error
  }
  throw new Error('expected a bella error')
}

describe('parseAllEnvironmentSecrets', () => {
  it('takes the secrets map and the version of a well-formed response', () => {
    expect(parseAllEnvironmentSecrets(full({A: '1', B: ''}), PATH, 'e')).toMatchObject({secrets: {A: '1', B: ''}, version: 7, sealed: []})
  })

  it.each([
    ['null', null, /`secrets` is null/],
    ['an array', [], /`secrets` is an array/],
    ['missing', undefined, /`secrets` is missing/],
    ['a string', 'A=1', /`secrets` is a string/],
  ])('refuses a response whose secrets is %s, as an API error (exit 4) naming the endpoint, without values', (_what, secrets, reason) => {
    const body = full(secrets)
    if (secrets === undefined) delete (body as {secrets?: unknown}).secrets
    const error = thrown(() => parseAllEnvironmentSecrets(body, PATH, 'e'))
    expect(error.exitCode).toBe(ExitCode.unreachable)
    expect(error.code).toBe('api_invalid_response')
    expect(error.message).toContain(PATH)
    expect(error.message).toMatch(reason)
    expect(error.message).not.toContain('environmentSlug')
  })

  it('refuses a non-string value, naming the secret but not the value', () => {
    const error = thrown(() => parseAllEnvironmentSecrets(full({A: '1', PORT: 5432, NESTED: {x: 'hunter2'}}), PATH, 'e'))
    expect(error.exitCode).toBe(ExitCode.unreachable)
    expect(error.message).toContain('PORT')
    expect(error.message).not.toContain('5432')
    expect(error.message).not.toContain('hunter2')
  })

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 3]) expect(thrown(() => parseAllEnvironmentSecrets(body, PATH, 'e')).code).toBe('api_invalid_response')
  })
})

describe('parseSecretsPayload (the shapes of contract §3.4)', () => {
  it('accepts a full response, an array of {key, value} items, and a flat map', () => {
    expect(parseSecretsPayload(full({A: '1'}), PATH).secrets).toEqual({A: '1'})
    expect(parseSecretsPayload([{key: 'A', value: '1', description: null}], PATH).secrets).toEqual({A: '1'})
    expect(parseSecretsPayload({A: '1'}, PATH).secrets).toEqual({A: '1'})
  })

  it('refuses what would otherwise turn response fields into secrets', () => {
    expect(thrown(() => parseSecretsPayload(full(null), PATH)).code).toBe('api_invalid_response')
    expect(thrown(() => parseSecretsPayload(full([]), PATH)).code).toBe('api_invalid_response')
    // A "flat map" holding the response's own fields: version is a number, so it is no map of strings.
    const {secrets: _secrets, ...fields} = full({})
    expect(thrown(() => parseSecretsPayload(fields, PATH)).code).toBe('api_invalid_response')
  })

  it('refuses items without a string key or value', () => {
    expect(thrown(() => parseSecretsPayload([{key: 'A'}], PATH)).message).toContain('secret A is missing')
    expect(thrown(() => parseSecretsPayload([{value: 'x'}], PATH)).code).toBe('api_invalid_response')
    expect(thrown(() => parseSecretsPayload([null], PATH)).code).toBe('api_invalid_response')
  })
})

describe('sealed values (contract §3.7)', () => {
  it('are never returned as secrets: left out and named, in every shape', () => {
    const secrets = {A: '1', S1: 'bellabaxter:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA', S2: 'bellabaxter:v2:BBBB', NOT: 'bellabaxter:x'}
    expect(parseAllEnvironmentSecrets(full(secrets), PATH, 'e')).toMatchObject({secrets: {A: '1', NOT: 'bellabaxter:x'}, sealed: ['S1', 'S2']})
    const items = Object.entries(secrets).map(([key, value]) => ({key, value}))
    expect(parseSecretsPayload(items, PATH)).toEqual({secrets: {A: '1', NOT: 'bellabaxter:x'}, sealed: ['S1', 'S2']})
  })
})
