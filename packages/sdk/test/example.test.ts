/**
 * examples/sdk/app.mjs as the README runs it: against `bella emulator` (the real CLI), it serves a
 * secret's value; `bella emulator set` changes it, and the same process serves the new value on
 * its next request, with no restart. SIGTERM ends it cleanly.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {bella, bellaBin, isolatedHome, repoRoot, startEmulatorProcess} from '../../../test/helpers/cli.js'
import {until} from './helpers.js'

let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>
let home: ReturnType<typeof isolatedHome>

beforeAll(async () => {
  home = isolatedHome()
  emulator = await startEmulatorProcess(process.execPath, [bellaBin], {PATH: process.env.PATH ?? '/usr/bin:/bin', ...home})
})
afterAll(async () => {
  await emulator?.stop()
})

async function get(url: string): Promise<string> {
  const {request} = await import('node:http')
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve(body))
    })
      .on('error', reject)
      .end()
  })
}

describe('examples/sdk', () => {
  it('serves the new value after `bella emulator set`, from the same process', async () => {
    const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', ...home, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}
    const app: ChildProcess = spawn(process.execPath, [join(repoRoot, 'examples', 'sdk', 'app.mjs')], {
      env: {...env, PORT: '0', REFRESH_SECONDS: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    app.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)))
    try {
      const url = await until('the app to listen', () => /listening on (http:\S+)/.exec(stderr)?.[1], 15_000)
      expect(await get(url)).toBe('LOG_LEVEL=debug\n')

      const set = await bella(['emulator', 'set', 'LOG_LEVEL=warn'], {env})
      expect(set.code).toBe(0)
      await until('the change', () => (stderr.includes('secrets changed: LOG_LEVEL') ? true : undefined), 15_000)
      expect(await get(url)).toBe('LOG_LEVEL=warn\n')
      expect(app.exitCode).toBeNull()
      expect(stderr).not.toContain('warn\n')
    } finally {
      app.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
