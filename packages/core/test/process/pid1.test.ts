/**
 * The supervisor as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`, needs root
 * or user namespaces), as in `ENTRYPOINT ["bella","run","--"]`.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {findZombieChildren, orphanHint} from '../../src/process/index.js'
import {itAsPid1 as itAsPid1When, outerPid, UNSHARE} from '../../../../test/helpers/os-tools.js'
import {fixture, processModuleUrl, recorded, removeCompiled, removeDir, tempDir, Watched} from './helpers.js'

const itAsPid1 = itAsPid1When('pid1.test.ts')
const node = process.execPath
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

function asPid1(command: string[]): Watched {
  const w = new Watched('unshare', [...UNSHARE, node, fixture('supervise-driver.mjs'), moduleUrl, '--', ...command], {detached: true})
  running.push(w)
  return w
}

describe('as PID 1', () => {
  itAsPid1('receives and forwards signals, exits with the child’s status, and flags orphan zombies', async () => {
    const file = join(dir, 'pid1')
    const w = asPid1([node, fixture('orphan-maker.js'), file, 'SIGTERM', '42'])
    await w.waitFor(/driver: pid 1 child \d+/) // really PID 1
    await w.waitFor(/ready/)
    // The orphaned `sleep` was re-parented to PID 1 and exited; Node cannot reap it, so we say so.
    await w.waitFor(/driver: warning: bella is PID 1 and cannot reap orphaned processes/)
    expect(w.output).toContain('docker run --init')

    // From outside the namespace, like `docker kill -s`/`docker stop`: the kernel only delivers these
    // to a namespace init that has handlers, so this checks that they are installed.
    const pid = outerPid(w.proc.pid as number)
    process.kill(pid, 'SIGUSR1')
    await w.waitFor(/got SIGUSR1/)
    process.kill(pid, 'SIGTERM')
    expect((await w.exit).code).toBe(42)
    expect(recorded(file)).toEqual(['SIGUSR1', 'SIGTERM'])
  })

  itAsPid1('exits 128+N when the child dies of a signal', async () => {
    const w = asPid1([node, fixture('kill-self.js'), 'SIGKILL'])
    expect((await w.exit).code).toBe(137)
    expect(w.output).not.toContain('warning') // nothing orphaned, nothing said
  })
})

describe('zombie detection helpers', () => {
  it('findZombieChildren finds exited, unreaped children of a process', async () => {
    // sh forks `true` and then execs `sleep`, which never waits: `true` stays a zombie of that pid.
    const {spawn} = await import('node:child_process')
    const parent = spawn('sh', ['-c', 'true & exec sleep 5'], {stdio: 'ignore'})
    try {
      let zombies: number[] = []
      for (const deadline = Date.now() + 3000; zombies.length === 0 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20)) // polling for the kernel, not a fixed wait
        zombies = findZombieChildren(parent.pid as number)
      }

      expect(zombies).toHaveLength(1)
      expect(findZombieChildren(process.pid)).toEqual([]) // Node reaps its own children
    } finally {
      parent.kill('SIGKILL')
    }
  })

  it('the hint is one line and says what to do', () => {
    expect(orphanHint(1)).not.toContain('\n')
    expect(orphanHint(1)).toContain('1 exited grandchild is left as a zombie')
    expect(orphanHint(3)).toContain('3 exited grandchildren are left as zombies')
  })
})
