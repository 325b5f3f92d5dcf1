/**
 * Clean shutdown, seen from outside: a child process that uses the built SDK bundle exits by itself,
 * with no process.exit, whether it calls destroy() or not (the refresh timer is unref'd), and
 * destroy() ends a request the server is holding instead of waiting for it.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import type {Emulator} from '../../../plugins/emulator/src/index.js'
import {repoRoot, runProcess} from '../../../test/helpers/cli.js'
import {startShop, VERSION_PATH} from './helpers.js'

const bundle = join(repoRoot, 'packages', 'sdk', 'dist', 'index.js')
const app = join(repoRoot, 'packages', 'sdk', 'test', 'fixtures', 'sdk-app.mjs')

let emulator: Emulator
beforeAll(async () => {
  emulator = await startShop()
})
afterAll(async () => {
  await emulator.close()
})

// Killed (SIGKILL, signal set) if it has not exited by itself within 20 s.
const runApp = (mode: string) =>
  runProcess(process.execPath, [app, bundle, mode], {env: {BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}, timeoutMs: 20_000})

describe('an app using the SDK', () => {
  it('exits by itself without destroy(): the refresh timer never keeps it alive', async () => {
    const r = await runApp('forget')
    expect(r).toMatchObject({code: 0, signal: null, stdout: 'A=one\n', stderr: ''})
  })

  it('after destroy() nothing keeps the event loop alive: no timer, no socket', async () => {
    const r = await runApp('destroy')
    expect(r).toMatchObject({code: 0, signal: null, stderr: ''})
    const resources = JSON.parse(/resources=(.*)/.exec(r.stdout)![1]!) as string[]
    expect(resources).not.toContain('Timeout')
    expect(resources.filter((name) => /TCP|Socket|HTTP/i.test(name))).toEqual([])
  })

  it('destroy() ends a refresh the server is holding, so the app exits at once', async () => {
    // Headers at once, then a byte a second, never finishing: only destroy() can end it before the 30 s deadline.
    emulator.injectFault({type: 'drip', intervalMs: 1000, pathPrefix: VERSION_PATH, count: 'always'})
    try {
      const r = await runApp('destroy-in-flight')
      expect(r).toMatchObject({code: 0, signal: null, stdout: 'A=one\ndestroyed\n', stderr: ''})
      expect(emulator.requests().some((request) => request.path === VERSION_PATH && request.fault?.startsWith('drip'))).toBe(true)
    } finally {
      emulator.clearFaults()
    }
  })
})
