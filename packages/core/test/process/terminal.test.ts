/**
 * No double delivery of a terminal Ctrl-C. `script` (util-linux) runs the driver on a fresh pseudo
 * terminal, in its foreground process group; writing ^C to script's stdin makes the terminal send
 * SIGINT to that whole group — the driver *and* its child. The supervisor must see that and not
 * forward its copy.
 */
import {afterAll, afterEach, beforeAll, describe, expect} from '@jest/globals'
import {join} from 'node:path'
import {itWithPty as itWithPtyWhen} from '../../../../test/helpers/os-tools.js'
import {fixture, processModuleUrl, recorded, removeCompiled, removeDir, tempDir, Watched} from './helpers.js'

const itWithPty = itWithPtyWhen('terminal.test.ts')

const node = process.execPath
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
let dir: string
let moduleUrl: string
const running: Watched[] = []

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
})

/**
 * `exec`, so the driver itself is the terminal's session leader: a shell left waiting in between
 * (dash, the /bin/sh `script` uses when SHELL is unset, does not exec a `-c` command) is in the
 * same foreground group, dies of the Ctrl-C and makes `script` report 130. SHELL is pinned so the
 * test does not depend on the caller's shell.
 */
function onTerminal(file: string, flags: string[] = []): Watched {
  const command = ['exec', node, fixture('supervise-driver.mjs'), moduleUrl, ...flags, '--', node, fixture('signal-recorder.js'), file, 'SIGTERM', '0']
  const w = new Watched('script', ['-qfec', command.map(q).join(' '), '/dev/null'], {detached: true, env: {...process.env, SHELL: '/bin/sh'}})
  running.push(w)
  return w
}

describe('Ctrl-C on a terminal', () => {
  itWithPty('reaches the child once: the terminal delivers it, the supervisor does not forward it', async () => {
    const file = join(dir, 'ctrl-c')
    const w = onTerminal(file)
    await w.waitFor(/ready/)
    const pid = Number((await w.waitFor(/driver: pid (\d+)/))[1])
    w.proc.stdin?.write('\u0003')
    await w.waitFor(/driver: SIGINT terminal-delivered/)
    await w.waitFor(/got SIGINT/)
    // A forwarded duplicate would have been sent before this USR1 and (lower number) handled first.
    process.kill(pid, 'SIGUSR1')
    await w.waitFor(/got SIGUSR1/)
    process.kill(pid, 'SIGTERM')
    expect((await w.exit).code).toBe(0)
    expect(recorded(file)).toEqual(['SIGINT', 'SIGUSR1', 'SIGTERM'])
  })

  // Each key waits for the driver's decision as well as the child's: on a loaded machine a signal
  // can sit pending in the driver after the child handled its copy, so a second Ctrl-C could merge
  // with the first, or be handled after a later signal.
  const ctrlC = async (w: Watched, decisions: number) => {
    w.proc.stdin?.write('\u0003')
    await w.waitFor(new RegExp(`(driver: SIGINT [\\w-]+[\\s\\S]*){${decisions}}`))
  }

  itWithPty('a second Ctrl-C while the child is still stopping kills it at once (SIGKILL → 137), and says so', async () => {
    const file = join(dir, 'ctrl-c-twice')
    const w = onTerminal(file) // the recorder only exits on SIGTERM: a child slow to stop
    await w.waitFor(/ready/)
    await ctrlC(w, 1)
    await w.waitFor(/got SIGINT/)
    await ctrlC(w, 2)
    const {code} = await w.exit
    expect({code, driver: w.output.match(/driver: SIG\w+ [\w-]+/g)}).toEqual({
      code: 137,
      driver: ['driver: SIGINT terminal-delivered', 'driver: SIGINT killed'],
    })
    expect(w.output).toMatch(/driver: warning: Ctrl-C again while \S+ was stopping: killed it \(SIGKILL\)/)
    expect(recorded(file)[0]).toBe('SIGINT')
  })

  itWithPty('a Ctrl-C after the window is a first one again (REPLs cancel a line with it): no SIGKILL', async () => {
    const file = join(dir, 'ctrl-c-later')
    const w = onTerminal(file, ['--second-interrupt-ms=200'])
    await w.waitFor(/ready/)
    const pid = Number((await w.waitFor(/driver: pid (\d+)/))[1])
    await ctrlC(w, 1)
    await w.waitFor(/got SIGINT/)
    await new Promise((resolve) => setTimeout(resolve, 500)) // past the 200 ms window
    await ctrlC(w, 2)
    await w.waitFor(/got SIGINT[\s\S]*got SIGINT/)
    process.kill(pid, 'SIGTERM')
    const {code} = await w.exit
    expect({code, driver: w.output.match(/driver: SIG\w+ [\w-]+/g)}).toEqual({
      code: 0,
      driver: ['driver: SIGINT terminal-delivered', 'driver: SIGINT terminal-delivered', 'driver: SIGTERM forwarded'],
    })
    expect(recorded(file)).toEqual(['SIGINT', 'SIGINT', 'SIGTERM'])
  })

  itWithPty('control: the supervisor does receive the terminal’s SIGINT, so forwarding it would double it', async () => {
    const file = join(dir, 'ctrl-c-control')
    const w = onTerminal(file, ['--terminal=never'])
    await w.waitFor(/ready/)
    const pid = Number((await w.waitFor(/driver: pid (\d+)/))[1])
    w.proc.stdin?.write('\u0003')
    await w.waitFor(/driver: SIGINT forwarded/)
    await w.waitFor(/got SIGINT/)
    // Two SIGINTs were sent to the child (terminal + forwarded); it saw at least one of them.
    // (Two standard signals may coalesce, so the count itself is not asserted.)
    expect(recorded(file)[0]).toBe('SIGINT')
    process.kill(pid, 'SIGTERM') // after a forwarded SIGINT: "hurry" → SIGKILL
    expect((await w.exit).code).toBe(137)
  })
})
