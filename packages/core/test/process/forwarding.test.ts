/**
 * Real signals sent to a real supervisor: a driver script (test/fixtures/supervise-driver.mjs) runs
 * the Supervisor around a fixture child, and the test signals the *driver*, then checks what the
 * child recorded. The driver is started in its own session (detached) so it has no controlling
 * terminal — otherwise, run from a terminal, it would rightly treat SIGINT as terminal-delivered.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {fixture, processModuleUrl, recorded, removeCompiled, removeDir, tempDir, Watched} from './helpers.js'

const node = process.execPath
let dir: string
let moduleUrl: string
const running: Watched[] = []
const strays: number[] = []

beforeAll(() => {
  dir = tempDir()
  moduleUrl = processModuleUrl()
})
afterAll(() => {
  removeDir(dir)
  removeCompiled()
})
afterEach(() => {
  for (const w of running.splice(0)) w.cleanup()
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
})

function driver(flags: string[], command: string[]): Watched {
  const w = new Watched(node, [fixture('supervise-driver.mjs'), moduleUrl, ...flags, '--', ...command], {detached: true})
  running.push(w)
  return w
}

async function driverPid(w: Watched): Promise<number> {
  return Number((await w.waitFor(/driver: pid (\d+)/))[1])
}

describe('signal forwarding (real signals)', () => {
  it('forwards SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT and SIGINT exactly once each', async () => {
    const file = join(dir, 'all')
    // exits on SIGINT: after a forwarded SIGINT a SIGTERM would mean "hurry" (SIGKILL), tested below
    const w = driver([], [node, fixture('signal-recorder.js'), file, 'SIGINT', '0'])
    await w.waitFor(/ready/)
    const pid = await driverPid(w)
    for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT'] as const) {
      process.kill(pid, signal)
      await w.waitFor(new RegExp(`got ${signal}`))
    }

    process.kill(pid, 'SIGINT')
    expect(await w.exit).toEqual({code: 0, signal: null})
    expect(recorded(file)).toEqual(['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGINT'])
    expect(w.count(/driver: SIG\w+ forwarded/g)).toBe(5)
    expect(w.output).toContain('driver: exit 0')
  })

  it('forwards SIGTERM once and exits with the child’s status', async () => {
    const file = join(dir, 'term')
    const w = driver([], [node, fixture('signal-recorder.js'), file, 'SIGTERM', '42'])
    await w.waitFor(/ready/)
    process.kill(await driverPid(w), 'SIGTERM')
    expect((await w.exit).code).toBe(42)
    expect(recorded(file)).toEqual(['SIGTERM'])
  })

  it('after a forwarded SIGINT the child ignored, SIGTERM means "hurry": SIGKILL (137)', async () => {
    const file = join(dir, 'int-then-term')
    const w = driver([], [node, fixture('signal-recorder.js'), file, 'none'])
    await w.waitFor(/ready/)
    const pid = await driverPid(w)
    process.kill(pid, 'SIGINT')
    await w.waitFor(/got SIGINT/)
    process.kill(pid, 'SIGTERM')
    expect((await w.exit).code).toBe(137)
    expect(recorded(file)).toEqual(['SIGINT'])
  })

  it('a child killed by the forwarded signal makes the supervisor exit 128+N', async () => {
    // plain node with no handlers: SIGTERM kills it
    const w = driver([], [node, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'])
    await w.waitFor(/ready/)
    process.kill(await driverPid(w), 'SIGTERM')
    expect((await w.exit).code).toBe(143)
  })

  it('a second SIGTERM while the child is shutting down → SIGKILL (137)', async () => {
    const file = join(dir, 'stubborn')
    const w = driver([], [node, fixture('signal-recorder.js'), file, 'none'])
    await w.waitFor(/ready/)
    const pid = await driverPid(w)
    process.kill(pid, 'SIGTERM')
    await w.waitFor(/got SIGTERM/)
    process.kill(pid, 'SIGTERM')
    expect((await w.exit).code).toBe(137)
    expect(w.output).toContain('driver: SIGTERM killed')
    expect(recorded(file)).toEqual(['SIGTERM']) // the second one became SIGKILL, not a 2nd TERM
  })

  it('SIGHUP does not count as shutting down: a later SIGTERM is still forwarded, not SIGKILL', async () => {
    const file = join(dir, 'hup-then-term')
    const w = driver([], [node, fixture('signal-recorder.js'), file, 'SIGTERM', '3'])
    await w.waitFor(/ready/)
    const pid = await driverPid(w)
    process.kill(pid, 'SIGHUP')
    await w.waitFor(/got SIGHUP/)
    process.kill(pid, 'SIGTERM')
    expect((await w.exit).code).toBe(3)
    expect(recorded(file)).toEqual(['SIGHUP', 'SIGTERM'])
  })

  it('reports 127 for a command that is not found, with a message naming it', async () => {
    const w = driver([], ['no-such-command-xyz'])
    expect((await w.exit).code).toBe(127)
    expect(w.output).toMatch(/driver: error 127 .*no-such-command-xyz/)
  })

  it('with ownProcessGroup, a forwarded signal reaches grandchildren too', async () => {
    const file = join(dir, 'group')
    const w = driver(['--own-group'], ['sh', '-c', `"${node}" "${fixture('signal-recorder.js')}" "${file}" SIGHUP 0 & wait`])
    const grandchild = Number((await w.waitFor(/ready (\d+)/))[1])
    strays.push(grandchild)
    process.kill(await driverPid(w), 'SIGHUP')
    await w.waitFor(/got SIGHUP/)
    expect((await w.exit).code).toBe(129) // sh itself died of SIGHUP
    expect(recorded(file)).toEqual(['SIGHUP'])
  })
})
