/**
 * What `bella secrets` and `bella context` do only for a person at a terminal (a real pty via
 * util-linux `script`): confirming a delete, warning about a value typed on the command line,
 * revealing values, and choosing the project and environment for `.bella`.
 */
import {afterAll, beforeAll, describe, expect} from '@jest/globals'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {itWithPty} from '../helpers/os-tools.js'
import {bellaOnTerminal} from '../helpers/terminal.js'

const KEY = `bax-${'b3'.repeat(16)}-${'55'.repeat(32)}`
/** Scoped to the project only, so it sees both of its environments. */
const PROJECT_KEY = `bax-${'b4'.repeat(16)}-${'66'.repeat(32)}`
const itPty = itWithPty('secrets-terminal')

let emulator: Emulator
let work: string
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bella-secrets-terminal-'))
  emulator = await startEmulator({
    port: 0,
    seed: {
      keys: [
        {key: KEY, project: 'shop', environment: 'dev', role: 'ADMIN'},
        {key: PROJECT_KEY, project: 'shop', role: 'ADMIN'},
      ],
      projects: [
        {slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: {KEEP_ME: 'kept-value-1', DROP_ME: 'dropped-value-2'}}]}, {slug: 'prod'}]},
        {slug: 'blog', environments: [{slug: 'staging'}]},
      ],
    },
  })
})
afterAll(async () => {
  await emulator?.close()
  rmSync(work, {recursive: true, force: true})
})

const env = (key = KEY) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: key})
const names = async () => JSON.parse((await bella(['secrets', 'list', '--json'], {env: env(), cwd: work})).stdout).secrets.map((s: {name: string}) => s.name)

describe('at a terminal', () => {
  itPty('secrets delete asks first: "n" keeps the secret, "y" deletes it', async () => {
    const declined = bellaOnTerminal(['secrets', 'delete', 'DROP_ME'], env(), {cwd: work})
    await declined.waitFor(/Delete DROP_ME from shop\/dev\? \[y\/N\]/)
    declined.type('n\r')
    expect(await declined.exit).toBe(1)
    expect(declined.screen()).toContain('Nothing was deleted')
    expect(await names()).toContain('DROP_ME')

    const confirmed = bellaOnTerminal(['secrets', 'delete', 'DROP_ME'], env(), {cwd: work})
    await confirmed.waitFor(/\[y\/N\]/)
    confirmed.type('y\r')
    expect(await confirmed.exit).toBe(0)
    expect(await names()).not.toContain('DROP_ME')
  })

  itPty('secrets set NAME=value warns that the value may stay in shell history or show in ps (never the value)', async () => {
    const t = bellaOnTerminal(['secrets', 'set', 'TYPED=typed-value-3'], env(), {cwd: work})
    expect(await t.exit).toBe(0)
    expect(t.screen()).toContain('TYPED was typed on the command line and may be kept in shell history')
    expect(t.screen().split('typed-value-3').length - 1).toBe(0)
  })

  itPty('secrets list --reveal shows values at a terminal (and only there)', async () => {
    const t = bellaOnTerminal(['secrets', 'list', '--reveal'], env(), {cwd: work})
    expect(await t.exit).toBe(0)
    expect(t.screen()).toContain('kept-value-1')
    const piped = await bella(['secrets', 'list', '--reveal'], {env: env(), cwd: work})
    expect(piped.code).toBe(2)
    expect(piped.stdout + piped.stderr).not.toContain('kept-value-1')
  })

  itPty('context init offers the projects, then the environments, and writes the choice to .bella', async () => {
    const dir = mkdtempSync(join(work, 'init-'))
    const t = bellaOnTerminal(['context', 'init'], env(PROJECT_KEY), {cwd: dir})
    await t.waitFor(/1\) shop[^\n]*\n[\s\S]*Choose 1-1: /)
    t.type('1\r')
    await t.waitFor(/1\) dev[^\n]*\n *2\) prod[^\n]*\n[\s\S]*Choose 1-2: /)
    t.type('2\r')
    expect(await t.exit).toBe(0)
    expect(existsSync(join(dir, '.bella'))).toBe(true)
    expect(readFileSync(join(dir, '.bella'), 'utf8')).toBe('project = "shop"\nenvironment = "prod"\n')
  })
})
