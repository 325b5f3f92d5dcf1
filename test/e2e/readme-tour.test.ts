// Runs the README's "A short tour" and "Machine credentials" examples, line by line, as a user
// would paste them: `bella` on PATH (a shim running bin/run.js), a fresh emulator started by the
// tour's own first line. Lines marked `(needs …)` or `(runs until Ctrl-C)` are skipped and counted.
import {afterAll, describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bellaBin} from '../helpers/cli.js'
import {section, shCommands} from '../helpers/readme.js'

const work = mkdtempSync(join(tmpdir(), 'bella-readme-tour-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

const SKIP_MARKER = /\((needs [^)]*|runs until Ctrl-C)\)\s*$/

describe('README: A short tour and Machine credentials', () => {
  it('every unmarked line exits 0 pasted into a shell against a fresh emulator', () => {
    const commands = [...shCommands(section('A short tour')), ...shCommands(section('Machine credentials'))]
    const skipped = commands.filter((c) => SKIP_MARKER.test(c))
    const runnable = commands.filter((c) => !SKIP_MARKER.test(c))
    expect(runnable[0]).toMatch(/^\(umask 077; exec bella emulator --port 0 /)
    expect(skipped.map((c) => c.split(' #')[0]!.trim())).toEqual(['bella run --watch -- node server.js', 'bella exec --provider pg -- ./migrate.sh'])
    expect(runnable.length).toBeGreaterThanOrEqual(12)

    const bin = join(work, 'bin')
    const home = join(work, 'home')
    const cwd = join(work, 'project')
    for (const dir of [bin, home, cwd]) mkdirSync(dir, {recursive: true})
    writeFileSync(join(bin, 'bella'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bellaBin)} "$@"\n`)
    chmodSync(join(bin, 'bella'), 0o755)
    const status = join(work, 'status')
    const script = [
      // The emulator the first line starts is stopped however the script ends.
      "trap 'kill %1 2>/dev/null; wait' EXIT",
      ...runnable.map((c, i) => `{ ${c}\n} </dev/null; echo "${i} $?" >> ${JSON.stringify(status)}`),
    ].join('\n')
    let stderr = ''
    try {
      execFileSync('bash', ['-c', script], {
        env: {PATH: `${bin}:${process.env.PATH}`, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), BELLA_CREDENTIAL_STORE: 'file', LANG: 'C.UTF-8'},
        cwd,
        timeout: 90_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (error) {
      stderr = String((error as {stderr?: Buffer}).stderr ?? error)
    }
    const codes = existsSync(status) ? readFileSync(status, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1])) : []
    expect({results: runnable.map((c, i) => [c, codes[i]]), stderr}).toEqual({results: runnable.map((c) => [c, 0]), stderr: ''})
    // What the lines did: the agent wrote the demo's secrets, from the context the starter was given.
    expect(readFileSync(join(cwd, 'bella-agent.yaml'), 'utf8')).toMatch(/project: demo .*\n\s+environment: dev\n/)
    expect(readFileSync(join(cwd, '.env'), 'utf8')).toMatch(/^LOG_LEVEL=/m)
  }, 120_000)
})
