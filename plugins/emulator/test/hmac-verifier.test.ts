import {describe, expect, it} from '@jest/globals'
import {formatTimestamp, parseApiKey} from '@bella/core'
import {parseSigningTimestamp, verifyHmacRequest, type SignedRequest} from '../src/index.js'
import {loadContractJson} from './helpers/contract.js'
import {flipOneChar} from './helpers/signed-request.js'

const vectors = loadContractJson('vectors.json')
const cases: any[] = vectors.hmac.cases
const vectorKey = parseApiKey(vectors.hmac.apiKey)
const lookupSecret = (id: string) => (id === vectorKey.keyId ? vectorKey.secret : undefined)

/** The request a vector describes, as the emulator's pipeline would see it. */
function requestOf(c: any): SignedRequest {
  const url = new URL(c.input.url)
  return {
    method: c.input.method,
    rawPath: url.pathname,
    rawQuery: c.input.rawQueryOnWire,
    headers: {...c.expected.headers},
    body: Buffer.from(c.input.body, 'utf8'),
  }
}

const at = (c: any) => ({now: new Date(c.input.timestamp), lookupSecret})

describe('verifyHmacRequest against the contract vectors', () => {
  it('covers every vector case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(11)
  })

  for (const c of cases) {
    describe(c.id, () => {
      it('accepts the vector with the clock at its timestamp', () => {
        expect(verifyHmacRequest(requestOf(c), at(c))).toEqual({ok: true, keyId: vectorKey.keyId})
      })

      it('rejects one changed character of the signature', () => {
        const req = requestOf(c)
        req.headers['X-Bella-Signature'] = flipOneChar(c.expected.headers['X-Bella-Signature'], 7)
        expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
      })

      it('rejects one changed character of the path', () => {
        const req = requestOf(c)
        req.rawPath = req.rawPath.replace('/api/v1/', '/api/v2/')
        expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
      })

      it('rejects a changed body', () => {
        const req = requestOf(c)
        req.body = req.body.length > 0 ? Buffer.from(flipOneChar(req.body.toString('utf8'), 1)) : Buffer.from(' ')
        expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
      })

      it('rejects a changed query', () => {
        const req = requestOf(c)
        req.rawQuery = req.rawQuery ? `${req.rawQuery}x` : 'x=1'
        expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
      })

      it('rejects a timestamp one second off its signature', () => {
        const req = requestOf(c)
        req.headers['X-Bella-Timestamp'] = formatTimestamp(new Date(new Date(c.input.timestamp).getTime() + 1000))
        expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
      })
    })
  }

  it('verifies the canonical query from the raw query on the wire, not from re-encoded parameters', () => {
    const c = cases.find((x) => x.id === 'query-divergent')
    const req = requestOf(c)
    // Same parameters, different wire order: the canonical query (sorted) is the same.
    req.rawQuery = req.rawQuery.split('&').reverse().join('&')
    expect(verifyHmacRequest(req, at(c)).ok).toBe(true)
    // `+` stays a literal plus (%2B) in the reference algorithm; a space would be a different value.
    req.rawQuery = req.rawQuery.replace('plus=a+b', 'plus=a%20b')
    expect(verifyHmacRequest(req, at(c))).toMatchObject({ok: false, check: 'bad-signature'})
  })

  it('checks the clock: ±5 minutes pass, anything older or newer is stale', () => {
    const c = cases[0]
    const t = new Date(c.input.timestamp).getTime()
    for (const skew of [-300_000, 300_000]) {
      expect(verifyHmacRequest(requestOf(c), {now: new Date(t + skew), lookupSecret}).ok).toBe(true)
    }
    for (const skew of [-301_000, 301_000]) {
      const verdict = verifyHmacRequest(requestOf(c), {now: new Date(t + skew), lookupSecret})
      expect(verdict).toMatchObject({ok: false, check: 'stale-timestamp'})
    }
  })

  it('names the missing headers and an unknown key id', () => {
    const c = cases[0]
    const req = requestOf(c)
    delete req.headers['X-Bella-Signature']
    delete req.headers['X-Bella-Timestamp']
    const missing = verifyHmacRequest(req, at(c))
    expect(missing).toMatchObject({ok: false, check: 'missing-headers'})
    expect(!missing.ok && missing.detail).toContain('X-Bella-Timestamp, X-Bella-Signature')
    expect(verifyHmacRequest(requestOf(c), {...at(c), lookupSecret: () => undefined})).toMatchObject({ok: false, check: 'unknown-key'})
  })
})

describe('parseSigningTimestamp', () => {
  it.each(['2026-03-15T12:34:56Z', '2024-02-29T23:59:59Z'])('accepts %s', (value) => {
    expect(parseSigningTimestamp(value)?.toISOString()).toBe(value.replace('Z', '.000Z'))
  })

  it.each(['2026-03-15T12:34:56.789Z', '2026-03-15T12:34:56+00:00', '2026-03-15 12:34:56Z', '2026-02-30T00:00:00Z', '2026-03-15T24:00:00Z', ''])(
    'rejects %p',
    (value) => {
      expect(parseSigningTimestamp(value)).toBeUndefined()
    },
  )
})
