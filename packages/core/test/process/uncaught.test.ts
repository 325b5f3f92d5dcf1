/**
 * If bella dies of its own bug (an exception nobody caught) while it supervises a command, the
 * command must not be left running unsupervised: the Supervisor stops it (SIGTERM, grace, SIGKILL)
 * and only then lets bella exit, with status 1. A real driver process and a real child.
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
  // A child the driver failed to stop would otherwise outlive the test.
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
})

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('an uncaught exception in bella while a command runs', () => {
  it('stops the command first (SIGTERM), then exits 1 saying why', async () => {
    const file = join(dir, 'crash')
    const w = new Watched(node, [fixture('supervise-driver.mjs'), moduleUrl, '--crash-after-start', '--', node, fixture('signal-recorder.js'), file, 'SIGTERM', '0'], {detached: true})
    running.push(w)
    await w.waitFor(/ready/)
    const child = Number((await w.waitFor(/driver: pid \d+ child (\d+)/))[1])
    strays.push(child)
    // 'exit', not 'close': an orphaned child would hold the driver's pipes open.
    const exited = new Promise((resolve) => w.proc.once('exit', (code, signal) => resolve({code, signal})))
    w.proc.stdin!.write('crash\n')
    expect(await exited).toEqual({code: 1, signal: null})
    expect(recorded(file)).toEqual(['SIGTERM'])
    expect(alive(child)).toBe(false)
    await w.exit // every pipe closed: all output is in
    expect(w.output).toContain('a bug nobody caught')
    expect(w.output).toMatch(/stopp(ed|ing) the command/)
  })
})
