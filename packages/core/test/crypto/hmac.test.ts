import {describe, expect, it} from '@jest/globals'
import {canonicalQuery, parseApiKey, sha256Hex, signRequest, stringToSign} from '@bella/core'
import {loadContractJson} from '../helpers/contract.js'

const vectors = loadContractJson('vectors.json')
const cases: any[] = vectors.hmac.cases

describe('HMAC signing against every vector', () => {
  it('has the cases the contract lists', () => {
    expect(cases.map((c) => c.id)).toEqual(
      expect.arrayContaining(['keys-me', 'issue-token', 'put-unicode-body', 'query-divergent', 'path-percent-encoded']),
    )
  })

  for (const c of cases) {
    it(`${c.id}: canonical query, string-to-sign and headers match byte for byte`, () => {
      const url = new URL(c.input.url)
      const rawQuery = c.input.rawQueryOnWire as string
      const body = Buffer.from(c.input.body as string, 'utf8')
      expect(sha256Hex(body)).toBe(c.expected.bodySha256Hex)
      expect(canonicalQuery(rawQuery)).toBe(c.expected.canonicalQuery)
      const input = {method: c.input.method, path: url.pathname, rawQuery, body}
      expect(stringToSign({...input, timestamp: c.input.timestamp})).toBe(c.expected.stringToSign)
      const headers = signRequest(parseApiKey(c.input.apiKey), input, new Date(`${c.input.timestamp}`))
      for (const name of ['X-Bella-Key-Id', 'X-Bella-Timestamp', 'X-Bella-Signature']) {
        expect(headers[name]).toBe(c.expected.headers[name])
      }
    })
  }

  it('drops fractional seconds from the timestamp', () => {
    const headers = signRequest(parseApiKey(vectors.hmac.apiKey), {method: 'GET', path: '/x', rawQuery: '', body: ''}, new Date('2026-03-15T12:34:56.789Z'))
    expect(headers['X-Bella-Timestamp']).toBe('2026-03-15T12:34:56Z')
  })
})

describe('parseApiKey', () => {
  it('hex-decodes the secret', () => {
    const key = parseApiKey(vectors.hmac.apiKey)
    expect(key.keyId).toBe(vectors.hmac.keyId)
    expect(key.secret.toString('hex')).toBe(vectors.hmac.signingSecretHex)
  })

  it.each([
    ['no prefix', 'abc-def-0011'],
    ['wrong prefix', 'bak-0123-0011'],
    ['too many parts', 'bax-01-23-0011'],
    ['odd-length secret', 'bax-0123-001'],
    ['non-hex secret', 'bax-0123-zz11'],
  ])('rejects a key with %s, without echoing it', (_why, raw) => {
    expect(() => parseApiKey(raw)).toThrow(expect.objectContaining({kind: 'usage', code: 'invalid_api_key'}))
    try {
      parseApiKey(raw)
    } catch (error) {
      expect((error as Error).message).not.toContain(raw)
    }
  })
})
