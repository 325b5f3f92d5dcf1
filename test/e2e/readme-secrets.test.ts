// Runs the README's "Managing secrets" walk-through, line by line, as a user would paste it.
import {afterAll, describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {repoRoot} from '../helpers/cli.js'
import {markedBlock} from '../helpers/readme.js'

const work = mkdtempSync(join(tmpdir(), 'bella-readme-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

const walkthrough = () => markedBlock('secrets-walkthrough')

describe('README: Managing secrets', () => {
  it('the walk-through works pasted into a shell against the emulator', () => {
    const lines = walkthrough()
    expect(lines.length).toBeGreaterThan(5)
    // The first line starts the emulator; its env file goes into the temp folder, not the clone.
    const script = [
      'set -e',
      // The emulator started by the first line is stopped however the script ends.
      "trap 'kill %1 2>/dev/null || true' EXIT TERM",
      `cd ${JSON.stringify(repoRoot)}`,
      ...lines.map((l) =>
        l
          .replaceAll('> emulator.env', `> ${work}/emulator.env`)
          .replaceAll('. ./emulator.env', `. ${work}/emulator.env`)
          .replaceAll('.env.local', `${work}/out.env`),
      ),
    ].join('\n')
    const out = execFileSync('bash', ['-c', script], {
      env: {PATH: process.env.PATH, HOME: work, XDG_CONFIG_HOME: join(work, 'config'), BELLA_CREDENTIAL_STORE: 'file', LANG: 'C.UTF-8'},
      cwd: work,
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString()
    expect(out).toContain('p@ss "word" $HOME')
    expect(out).toMatch(/^DB_PASSWORD  created  version 1/m)
    expect(out).toMatch(/^debug$/m)
    expect(out).toContain('demo/dev')
    expect(readFileSync(join(work, 'out.env'), 'utf8')).toContain('LOG_LEVEL=')
  })
})
