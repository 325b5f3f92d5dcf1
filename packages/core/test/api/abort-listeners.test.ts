/**
 * A watcher's API client lives as long as bella and shares one AbortSignal across every poll: no
 * request, retry wait, timeout or failure may leave a listener behind on it (or on bella's own
 * stdout/stderr), or a long-running `run --watch` would leak one per poll and Node would warn
 * (MaxListenersExceededWarning) after ten.
 */
import {afterAll, beforeAll, expect, it} from '@jest/globals'
import {getEventListeners} from 'node:events'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {createApiClient, parseApiKey} from '@bella/core'

const KEY = 'bax-0123456789abcdef0123456789abcdef-37aaf045e1c8d9204f0b58a0e241e120af70f7806c10d944072d6136544c17f4'
const POLLS = 60
let server: Server
let baseUrl: string
let n = 0

beforeAll(async () => {
  // Poll by poll: an answer, a 503 then an answer (a retry wait), a reset, and a stall (a timeout).
  server = createServer((req, res) => {
    const kind = n++ % 5
    if (kind === 1) return void res.writeHead(503, {'Retry-After': '0'}).end()
    if (kind === 3) return void req.socket.destroy()
    if (kind === 4) return // never answers: the client's idle timeout ends it
    res.writeHead(200, {'Content-Type': 'application/json'}).end('{"version": 1}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

it(`${POLLS} polls (answers, retries, resets, timeouts) leave no listener on the shared AbortSignal or on stdout/stderr`, async () => {
  const stopping = new AbortController()
  const api = createApiClient({
    baseUrl,
    credentials: {kind: 'api-key', key: parseApiKey(KEY)},
    signal: stopping.signal,
    timeoutMs: 100,
    retry: {retries: 1, baseDelayMs: 5, maxDelayMs: 5},
  })
  const outputListeners = () => [process.stdout.listenerCount('error'), process.stderr.listenerCount('error')]
  const output = outputListeners()
  const most = {abort: 0}
  const outcomes = {ok: 0, failed: 0}
  for (let i = 0; i < POLLS; i++) {
    try {
      await api.request({method: 'GET', path: '/api/v1/projects/p/environments/e/secrets/version'})
      outcomes.ok++
    } catch {
      outcomes.failed++
    }
    most.abort = Math.max(most.abort, getEventListeners(stopping.signal, 'abort').length)
  }
  expect(outcomes.ok).toBeGreaterThan(0)
  expect(outcomes.failed).toBeGreaterThan(0)
  expect(most.abort).toBeLessThanOrEqual(1)
  expect(getEventListeners(stopping.signal, 'abort')).toHaveLength(0)
  expect(outputListeners()).toEqual(output)
})
