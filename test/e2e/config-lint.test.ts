import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'

let emulator: Emulator
const made: string[] = []
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(async () => {
  await emulator.close()
  for (const dir of made) rmSync(dir, {recursive: true, force: true})
})

const count = (text: string, part: string) => text.split(part).length - 1

function workspace(bellaText: string, userConfig?: string) {
  const home = isolatedHome()
  const cwd = mkdtempSync(join(tmpdir(), 'bella-lint-'))
  made.push(home.HOME, cwd)
  writeFileSync(join(cwd, '.bella'), bellaText)
  if (userConfig !== undefined) {
    mkdirSync(join(home.XDG_CONFIG_HOME, 'bella'), {recursive: true})
    writeFileSync(join(home.XDG_CONFIG_HOME, 'bella', 'config.json'), userConfig)
  }
  return {cwd, env: {...home, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}}
}

describe('.bella and config.json are checked when read', () => {
  const bellaText = 'project = demo\nenviroment = dev\nurl = https://elsewhere.example\nenvironment: dev\nenvironment = dev\n'

  it('bella run (fast path): each problem once on stderr with file:line, stdout untouched, the command still runs', async () => {
    const {cwd, env} = workspace(bellaText, '{\n  "projct": "x"\n}\n')
    const r = await bella(['run', '--', process.execPath, '-e', 'process.stdout.write("ran")'], {cwd, env})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('ran')
    const file = join(cwd, '.bella')
    expect(count(r.stderr, `Warning: ${file}:2: unknown key "enviroment" is ignored (did you mean "environment"?)`)).toBe(1)
    expect(count(r.stderr, `Warning: ${file}:3: "url" is ignored on purpose`)).toBe(1)
    expect(count(r.stderr, `Warning: ${file}:4: this line is not \`key = value\``)).toBe(1)
    expect(count(r.stderr, `config.json:2: unknown key "projct" is ignored (did you mean "project"?)`)).toBe(1)
  })

  it('bella whoami --offline (oclif path): the same warnings, once each', async () => {
    const {cwd, env} = workspace(bellaText)
    const r = await bella(['whoami', '--offline'], {cwd, env})
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('warning')
    expect(count(r.stderr, `${join(cwd, '.bella')}:2: unknown key "enviroment"`)).toBe(1)
    expect(count(r.stderr, `${join(cwd, '.bella')}:3: "url" is ignored on purpose`)).toBe(1)
  })

  it('a clean .bella gives no warning', async () => {
    const {cwd, env} = workspace('# ours\norg = "acme"\nproject = demo\nenvironment = dev\n')
    const r = await bella(['whoami', '--offline'], {cwd, env})
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain('.bella:')
    expect(r.stderr).not.toContain('is ignored')
  })
})
