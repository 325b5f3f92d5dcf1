/**
 * A signed request refused because this machine's clock is off (contract §1.2: the server rejects
 * a timestamp too far from its own time with 401): bella says so in those words, with the size of
 * the difference taken from the server's Date header, and how to fix it. The emulator's clock is
 * moved (its `now` option); this machine's stays as it is.
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const skewed = (offsetMs: number) => startEmulator({port: 0, now: () => new Date(Date.now() + offsetMs)})

describe('clock skew', () => {
  it.each([
    ['ahead of', 20 * 60],
    ['behind', -7 * 60],
  ])('a server %s this machine by minutes: exit 3, "this machine\'s clock is N s behind/ahead of the server\'s", fix it with NTP', async (_how, offsetS) => {
    emulator = await skewed(offsetS * 1000)
    const r = await bella(['run', '--', 'true'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(3)
    const said = r.stderr.match(/this machine's clock is (\d+) s (behind|ahead of) the server's/)
    expect(said).not.toBeNull()
    // The server's Date header has whole seconds, and the request takes a moment: about N.
    expect(Math.abs(Number(said![1]) - Math.abs(offsetS))).toBeLessThanOrEqual(3)
    expect(said![2]).toBe(offsetS > 0 ? 'behind' : 'ahead of')
    expect(r.stderr).toMatch(/NTP/)
    expect(r.stderr).not.toMatch(/revoked/)
    expect(r.stderr + r.stdout).not.toContain(emulator.apiKey.split('-')[2]!)
  })

  it('a server within its tolerance (a few seconds off) is not reported as skew', async () => {
    emulator = await skewed(30_000)
    const r = await bella(['run', '--', 'true'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(0)
    expect(r.stderr).not.toMatch(/clock/)
  })
})
