import {afterAll, describe, expect, it} from '@jest/globals'
import {Config} from '@oclif/core'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {bella, isolatedHome, repoRoot} from '../helpers/cli.js'

describe('bella --version and --help', () => {
  it('--version (answered before oclif loads) prints exactly what oclif would', async () => {
    const config = await Config.load({root: repoRoot})
    const r = await bella(['--version'], {env: isolatedHome()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${config.userAgent}\n`)
  })

  it('-v and `bella version` print the same version line', async () => {
    const config = await Config.load({root: repoRoot})
    for (const args of [['-v'], ['version']]) {
      const r = await bella(args, {env: isolatedHome()})
      expect([args, r.code]).toEqual([args, 0])
      expect(r.stdout).toBe(`${config.userAgent}\n`)
    }
  })

  it('--help lists the commands of every plugin', async () => {
    const r = await bella(['--help'], {env: isolatedHome()})
    expect(r.code).toBe(0)
    for (const command of ['run', 'login', 'logout', 'whoami', 'emulator', 'autocomplete', 'version', 'commands']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
  })

  it('-h shows help on every command, topic commands included', async () => {
    for (const args of [['login', '-h'], ['api-keys', 'create', '-h'], ['run', '-h']]) {
      const r = await bella(args, {env: isolatedHome()})
      expect([args, r.code]).toEqual([args, 0])
      expect(r.stdout).toContain(`$ bella ${args.slice(0, -1).join(' ')}`)
    }
  })

  it('`bella commands` lists every command with spaces as topic separators', async () => {
    const r = await bella(['commands'], {env: isolatedHome()})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('api-keys create')
    expect(r.stdout).not.toContain('api-keys:create')
  })

  it('an unknown command is a usage error (exit 2, not the child\'s 127) suggesting the closest, without a terminal', async () => {
    const typo = await bella(['rn', '--', 'true'], {env: isolatedHome()})
    expect(typo).toMatchObject({code: 2, stdout: ''})
    expect(typo.stderr).toBe('Error: "rn" is not a bella command\n  Try: did you mean: bella run\n  Try: bella help lists every command\n')
    const topic = await bella(['secrets', 'lst'], {env: isolatedHome()})
    expect(topic.code).toBe(2)
    expect(topic.stderr).toContain('did you mean: bella secrets list')
    const nothingClose = await bella(['zzzzzzzz'], {env: isolatedHome()})
    expect(nothingClose.code).toBe(2)
    expect(nothingClose.stderr).not.toContain('did you mean')
  })

  it('an unknown flag is a usage error (exit 2) naming it', async () => {
    const r = await bella(['whoami', '--bogus'], {env: isolatedHome()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--bogus')
  })
})

describe('bella autocomplete', () => {
  it('prints the bash and zsh setup scripts and builds a completion cache that knows the commands', async () => {
    const env = isolatedHome()
    for (const shell of ['bash', 'zsh']) {
      const r = await bella(['autocomplete', 'script', shell], {env})
      expect([shell, r.code]).toEqual([shell, 0])
      expect(r.stdout).toContain(`BELLA_AC_${shell.toUpperCase()}_SETUP_PATH`)
    }
    const setup = await bella(['autocomplete', 'bash'], {env})
    expect(setup.code).toBe(0)
    expect(setup.stdout).toContain('bella autocomplete script bash')
    const cache = join(env.HOME, '.cache', 'bella', 'autocomplete', 'functions', 'bash', 'bella.bash')
    expect(existsSync(cache)).toBe(true)
    expect(readFileSync(cache, 'utf8')).toMatch(/api-keys/)
  })
})

describe('the fast path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bella-fast-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('`--version`, `-v` and `run … -- CMD` load no oclif package at all', async () => {
    const trace = join(dir, 'trace')
    const hooks = join(dir, 'hooks.mjs')
    writeFileSync(
      hooks,
      `import {appendFileSync} from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (result.url.includes('/@oclif/')) appendFileSync(${JSON.stringify(trace)}, result.url + '\\n')
  return result
}\n`,
    )
    const register = join(dir, 'register.mjs')
    writeFileSync(register, `import {register} from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
    const env = {...isolatedHome(), NODE_OPTIONS: `--import=${pathToFileURL(register).href}`}
    for (const args of [['--version'], ['-v'], ['run', '--', 'true']]) await bella(args, {env})
    expect(existsSync(trace) ? readFileSync(trace, 'utf8') : '').toBe('')
    // The tracer itself works: a command through oclif is seen loading it.
    await bella(['version'], {env})
    expect(readFileSync(trace, 'utf8')).toContain('@oclif/plugin-version')
  })
})
