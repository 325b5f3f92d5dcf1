// `bella exec --explain` against the emulator: what exec would hand over, by name and source; the
// command is not started and, with --provider, no credentials (no database user) are generated.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator, type EmulatorSeed} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

const KEY = 'bax-6a0b1c2d3e4f50617283940a1b2c3d4e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'
const seed: EmulatorSeed = {
  keys: [{key: KEY, project: 'shop', environment: 'dev'}],
  projects: [
    {
      slug: 'shop',
      environments: [
        {
          slug: 'dev',
          providers: [
            {slug: 'vault-dev', secrets: {DATABASE_URL: 'postgres://static-secret-value'}},
            {slug: 'pg', type: 'postgres', roles: {readonly: {default: true, grants: []}, migrate: {grants: []}}},
          ],
        },
      ],
    },
  ],
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed}) // no PostgreSQL: a generate would fail anyway
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearRequests())

const env = (extra: Record<string, string> = {}) => ({...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: KEY, ...extra})

function marker(): {file: string; command: string[]} {
  const file = join(testTempDir('bella-exec-explain-'), 'started')
  return {file, command: ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, '')`]}
}

describe('bella exec --explain', () => {
  it('without --provider: names the Bella URL and key it would hand over, never the key, and starts nothing', async () => {
    const {file, command} = marker()
    const r = await bella(['exec', '--explain', '--', ...command], {env: env({BELLA_BAXTER_ENV: 'dev'})})
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(false)
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toContain(KEY)
    expect(r.stderr).not.toContain(KEY.split('-')[2])
    expect(r.stderr).toMatch(/^ {2}BELLA_BAXTER_URL +bella's API URL$/m)
    expect(r.stderr).toMatch(/^ {2}BELLA_BAXTER_API_KEY +bella's credential$/m)
    expect(r.stderr).toContain("bella: not passed on from bella's environment: BELLA_BAXTER_ENV")
    expect(r.stderr).toMatch(/^bella: environment: \d+ variables, [\d,]+ bytes/m)
  })

  it('with --provider: lists the DB_* names and checks the role, without generating credentials', async () => {
    const {file, command} = marker()
    const r = await bella(['exec', '--explain', '--provider', 'pg', '--role', 'migrate', '--', ...command], {env: env({DATABASE_URL: 'postgres://inherited-value'})})
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(false)
    expect(r.stderr).toContain('no credentials are generated')
    for (const name of ['DB_USERNAME', 'DB_PASSWORD', 'DB_CREDENTIALS_EXPIRES_AT']) expect(r.stderr).toMatch(new RegExp(`^  ${name} +generated when the command starts$`, 'm'))
    expect(r.stderr).toMatch(/^ {2}DATABASE_URL +generated when the command starts \(when the server gives a connection URL; else the inherited one is removed\)$/m)
    expect(r.stderr).toContain('bella: replaces inherited DATABASE_URL')
    expect(r.stderr).not.toContain('inherited-value')
    const paths = emulator.requests().map((q) => q.path)
    expect(paths.some((p) => p.endsWith('/credentials/roles'))).toBe(true)
    expect(paths.some((p) => p.includes('/credentials/generate'))).toBe(false)
  })

  it('warns about a role the provider does not have', async () => {
    const r = await bella(['exec', '--explain', '--provider', 'pg', '--role', 'nosuch', '--', 'true'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Warning: provider "pg" has no role nosuch; bella exec would be refused (roles: readonly, migrate)')
  })

  it('--json gives the same as data on stdout', async () => {
    const r = await bella(['exec', '--explain', '--json', '--provider', 'pg', '--', 'true'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(KEY)
    const data = JSON.parse(r.stdout)
    expect(data).toMatchObject({
      command: 'exec',
      started: false,
      credentialsGenerated: false,
      provider: {project: 'shop', environment: 'dev', slug: 'pg', role: null, roles: ['readonly', 'migrate'], roleKnown: true},
    })
    expect(data.variables.map((v: {name: string}) => v.name)).toEqual(['DB_USERNAME', 'DB_PASSWORD', 'DB_CREDENTIALS_EXPIRES_AT', 'DATABASE_URL'])
    expect(data.size.fits).toBe(true)
  })

  it('errors as usual for an unknown provider (the command not started)', async () => {
    const {file, command} = marker()
    const r = await bella(['exec', '--explain', '--provider', 'nope', '--', ...command], {env: env()})
    expect(r.code).not.toBe(0)
    expect(existsSync(file)).toBe(false)
  })
})
