/**
 * What running the emulator leaves where others can see it: a PostgreSQL admin password on the
 * command line (readable by every user in `ps`), and the README's emulator.env, which holds an API
 * key. The emulator itself writes no file; the README's recipe creates emulator.env as 0600.
 */
import {afterAll, describe, expect, it} from '@jest/globals'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bellaBin, isolatedHome, repoRoot} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'bella-emulator-traces-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

// Never used to connect in these tests: the emulator connects only when credentials are asked for.
const PASSWORD = 'pw-not-for-ps-4f1c'
const ADMIN_URL = `postgres://admin:${PASSWORD}@127.0.0.1:5432/app`

/** Starts `bella emulator --port 0 <args>`, waits for its banner, stops it; resolves with its stderr. */
async function emulatorStderr(args: string[], env: Record<string, string> = {}): Promise<{stderr: string; code: number | null}> {
  const child = spawn(process.execPath, [bellaBin, 'emulator', '--port', '0', ...args], {
    cwd: repoRoot,
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', ...isolatedHome(), ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stdout.resume()
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 15 s: ${stderr}`)), 15_000)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (stderr.includes('Ctrl-C to stop')) done()
    })
    void exit.then(done)
  })
  if (child.exitCode === null) child.kill('SIGTERM')
  return {stderr, code: await exit}
}

describe('bella emulator: the PostgreSQL admin URL', () => {
  it('given on the command line with a password: a warning naming the safer ways, never the password', async () => {
    const r = await emulatorStderr(['--postgres-url', ADMIN_URL])
    expect(r.stderr).toMatch(/Warning: --postgres-url .*password.*ps.*BELLA_EMULATOR_POSTGRES_URL.*--postgres-url-file/)
    expect(r.stderr).toContain('database credentials: PostgreSQL')
    expect(r.stderr).not.toContain(PASSWORD)
  })

  it('from --postgres-url-file (or BELLA_EMULATOR_POSTGRES_URL): used, no warning, never the password', async () => {
    const file = join(dir, 'pg-admin-url')
    writeFileSync(file, `${ADMIN_URL}\n`)
    chmodSync(file, 0o600)
    for (const r of [await emulatorStderr(['--postgres-url-file', file]), await emulatorStderr([], {BELLA_EMULATOR_POSTGRES_URL: ADMIN_URL})]) {
      expect(r.stderr).toContain('database credentials: PostgreSQL')
      expect(r.stderr).not.toMatch(/warning/)
      expect(r.stderr).not.toContain(PASSWORD)
    }
  })

  it('--postgres-url-file that cannot be read, or together with --postgres-url: exit 2, nothing served', async () => {
    const missing = await emulatorStderr(['--postgres-url-file', join(dir, 'nope')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read --postgres-url-file/)
    const both = await emulatorStderr(['--postgres-url-file', join(dir, 'nope'), '--postgres-url', 'postgres://admin@127.0.0.1/app'])
    expect(both.code).toBe(2)
    expect(both.stderr).not.toContain('listening')
  })
})

describe("the READMEs' emulator.env recipe", () => {
  // Each README's lines up to the `bella emulator … > emulator.env` one, run by bash under the usual
  // umask 022 with a stand-in for `bella emulator` that prints the two lines the real one does.
  it.each([['README.md'], ['plugins/emulator/README.md']])('%s creates emulator.env readable by its owner only (0600), in every recipe', (readme) => {
    const lines = readFileSync(join(repoRoot, readme), 'utf8').split('\n')
    // Every `bella emulator … > emulator.env &` command (with its continuation lines), and the
    // lines right before it that prepare emulator.env.
    const commands = lines.flatMap((line, i) => (/[^:] > *emulator\.env/.test(line) || /^bella emulator.*> *emulator\.env/.test(line) ? [i] : []))
    expect(commands.length).toBeGreaterThan(0)
    for (const last of commands) {
      let first = last
      while (first > 0 && lines[first - 1]!.trimEnd().endsWith('\\')) first--
      while (first > 0 && lines[first - 1]!.includes('emulator.env') && !commands.includes(first - 1)) first--
      // The secrets walk-through runs the clone's ./bin/run.js: the same stand-in serves it.
      const snippet = lines.slice(first, last + 1).join('\n').replaceAll('./bin/run.js emulator', 'bella emulator')
      expect(snippet).toMatch(/bella emulator/)
      const work = mkdtempSync(join(dir, 'recipe-'))
      // A stand-in `bella` on PATH (a program, not a function: the recipes may `exec` it).
      mkdirSync(join(work, 'bin'))
      writeFileSync(join(work, 'bin', 'bella'), "#!/bin/sh\nprintf 'BELLA_BAXTER_URL=http://127.0.0.1:1\\nBELLA_BAXTER_API_KEY=bax-x-y\\n'\n", {mode: 0o755})
      const script = `umask 022\n${snippet}\nwait\n`
      const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {PATH: `${join(work, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`},
      })
      expect({line: last + 1, stderr: run.stderr}).toEqual({line: last + 1, stderr: ''})
      expect({line: last + 1, mode: statSync(join(work, 'emulator.env')).mode & 0o777}).toEqual({line: last + 1, mode: 0o600})
      expect(readFileSync(join(work, 'emulator.env'), 'utf8')).toContain('BELLA_BAXTER_API_KEY=')
    }
  })
})
