/**
 * The test run itself must not leak listeners onto the one real process.stdout/stderr that all
 * test files share (test/setup/output-listeners.js): a real jest, in band, its output going to a
 * file (as in CI, where Node makes it a SyncWriteStream), over more test files than Node's default
 * limit of 10 listeners, each loading @oclif/core as bella's command modules do.
 */
import {afterAll, beforeAll, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {repoRoot} from '../helpers/cli.js'

const FILES = 12
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bella-jest-listeners-'))
  const oclif = createRequire(join(repoRoot, 'package.json')).resolve('@oclif/core')
  for (let i = 0; i < FILES; i++) {
    writeFileSync(
      join(dir, `file${i}.test.mjs`),
      `import {expect, it} from '@jest/globals'\nit('loads oclif', async () => expect(typeof (await import(${JSON.stringify(oclif)})).Command).toBe('function'))\n`,
    )
  }
  // The repository's own configuration (its setup files included), pointed at these files.
  writeFileSync(
    join(dir, 'jest.config.mjs'),
    `import base from ${JSON.stringify(join(repoRoot, 'jest.config.js'))}\n` +
      `export default {...base, rootDir: ${JSON.stringify(repoRoot)}, roots: [${JSON.stringify(dir)}], testMatch: ['**/*.test.mjs'], transform: {}, moduleNameMapper: {}}\n`,
  )
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

it('a dozen test files that load @oclif/core, run in band, leave no listener leak (no MaxListenersExceededWarning)', async () => {
  const log = join(dir, 'jest.log')
  const fd = openSync(log, 'w')
  const jest = join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js')
  const child = spawn(process.execPath, ['--experimental-vm-modules', jest, '-c', join(dir, 'jest.config.mjs'), '--runInBand', '--ci'], {
    cwd: repoRoot,
    env: {...process.env, NODE_OPTIONS: ''},
    stdio: ['ignore', fd, fd],
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  closeSync(fd)
  const output = readFileSync(log, 'utf8')
  expect(output).toContain(`Tests:       ${FILES} passed, ${FILES} total`)
  expect(code).toBe(0)
  expect(output).not.toContain('MaxListenersExceededWarning')
}, 90_000)
