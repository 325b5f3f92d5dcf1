// `bella run --explain` against the emulator over loopback: names, providers, duplicates, withheld
// names, overrides and the environment size, never a value, and the command is never started.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator, type EmulatorSeed} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {testTempDir} from '../helpers/temp.js'

const VALUES = {
  vaultUrl: 'postgres://vault-user:vault-pw-1a2b@db/app',
  awsUrl: 'postgres://aws-user:aws-pw-9z8y@db/app',
  shared: 'shared-value-5c6d',
  level: 'debug-level-7e8f',
  nodeOptions: '--require ./evil-hook.js',
  proto: 'proto-value-3g4h',
  newline: 'newline-value-5i6j',
  ansi: 'ansi-value-7k8l',
  sealed: 'bellabaxter:v1:c2VhbGVkLXZhbHVlLTltMG4=',
}
const NEWLINE_NAME = 'BAD\nFORGED=1'
const ANSI_NAME = '\x1b[31mRED'

const seed: EmulatorSeed = {
  projects: [
    {
      slug: 'explain',
      environments: [
        {
          slug: 'dev',
          providers: [
            {
              slug: 'vault-dev',
              // fromEntries: `__proto__` becomes an own entry, as the API can serve it.
              secrets: Object.fromEntries([
                ['DATABASE_URL', VALUES.vaultUrl],
                ['SHARED', VALUES.shared],
                ['LOG_LEVEL', VALUES.level],
                ['NODE_OPTIONS', VALUES.nodeOptions],
                ['__proto__', VALUES.proto],
                [NEWLINE_NAME, VALUES.newline],
                [ANSI_NAME, VALUES.ansi],
                ['SEALED_ONE', VALUES.sealed],
              ]),
            },
            {slug: 'aws-dev', type: 'aws', secrets: {DATABASE_URL: VALUES.awsUrl, SHARED: VALUES.shared}},
          ],
        },
      ],
    },
  ],
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0, seed})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

const env = (extra: Record<string, string> = {}) => ({
  ...isolatedHome(),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: emulator.apiKey,
  LOG_LEVEL: 'inherited-level',
  ...extra,
})

/** A command that would leave a file behind if it were started. */
function marker(): {file: string; command: string[]} {
  const file = join(testTempDir('bella-explain-'), 'started')
  return {file, command: ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, 'x')`]}
}

function expectNoValues(text: string): void {
  for (const value of Object.values(VALUES)) expect(text).not.toContain(value)
  expect(text).not.toContain(emulator.apiKey)
}

describe('bella run --explain', () => {
  it('lists each name with its provider, and starts nothing', async () => {
    const {file, command} = marker()
    const r = await bella(['run', '--explain', '--', ...command], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(existsSync(file)).toBe(false)
    expectNoValues(r.stdout + r.stderr)
    expect(r.stderr).toContain('explaining what node would get from explain/dev')
    expect(r.stderr).toMatch(/^ {2}DATABASE_URL +aws-dev +injected; also in vault-dev$/m)
    expect(r.stderr).toMatch(/^ {2}__proto__ +vault-dev +injected$/m)
    expect(r.stderr).toContain('bella: providers, in merge order: vault-dev (8 names), aws-dev (2 names)')
  })

  it('names the names several providers hold, and which one won', async () => {
    const r = await bella(['run', '--explain', '--', 'true'], {env: env()})
    expect(r.stderr).toContain('bella: DATABASE_URL is in vault-dev, aws-dev: aws-dev won')
    expect(r.stderr).toContain('bella: SHARED is in vault-dev, aws-dev: same value in each, so no difference')
  })

  it('shows a secret overriding an inherited variable, and bella dropping its own key', async () => {
    const r = await bella(['run', '--explain', '--', 'true'], {env: env()})
    expect(r.stderr).toMatch(/^ {2}LOG_LEVEL +vault-dev +injected; overrides inherited value$/m)
    expect(r.stderr).toContain('bella: 1 secret overrides a variable bella inherited: LOG_LEVEL')
    expect(r.stderr).toContain("bella: not passed on from bella's environment: BELLA_BAXTER_API_KEY")
  })

  it('names reserved names withheld with the flag that lets them through, and invalid names', async () => {
    const r = await bella(['run', '--explain', '--', 'true'], {env: env()})
    expect(r.stderr).toMatch(/^ {2}NODE_OPTIONS +vault-dev +withheld: reserved name$/m)
    expect(r.stderr).toContain('bella: withheld NODE_OPTIONS (reserved name): pass --allow-reserved-env to inject it')
    expect(r.stderr).toContain('bella: withheld "BAD\\nFORGED=1" (not a variable name): rename it in Bella Baxter')
    expect(r.stderr).toMatch(/^ {2}SEALED_ONE +vault-dev +withheld: value still sealed$/m)

    const allowed = await bella(['run', '--explain', '--allow-reserved-env', '--', 'true'], {env: env()})
    expect(allowed.stderr).toMatch(/^ {2}NODE_OPTIONS +vault-dev +injected$/m)
    expect(allowed.stderr).not.toContain('withheld NODE_OPTIONS')
  })

  it('renders hostile names (newline, ANSI escape) as inert quoted tokens', async () => {
    const r = await bella(['run', '--explain', '--', 'true'], {env: env()})
    expect(r.stderr).not.toContain('\x1b')
    expect(r.stderr).not.toMatch(/^FORGED=1/m)
    expect(r.stderr).toContain('"\\u001b[31mRED"')
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(/^(bella: |  |Warning: )/)
  })

  it('gives the environment size against the OS limit', async () => {
    const r = await bella(['run', '--explain', '--', 'true'], {env: env()})
    expect(r.stderr).toMatch(/^bella: environment: \d+ variables, [\d,]+ bytes with the command line, of (2,031,616 allowed \([\d.]+ %\)|no known limit on this OS)$/m)
  })

  it('--json gives the same as data on stdout, names only', async () => {
    const {file, command} = marker()
    const r = await bella(['run', '--explain', '--json', '--', ...command], {env: env()})
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(false)
    expectNoValues(r.stdout + r.stderr)
    const data = JSON.parse(r.stdout)
    expect(data).toMatchObject({command: 'run', project: 'explain', environment: 'dev', started: false})
    expect(data.providers).toEqual([
      {slug: 'vault-dev', name: 'vault-dev', type: 'vault', count: 8},
      {slug: 'aws-dev', name: 'aws-dev', type: 'aws', count: 2},
    ])
    const byName = new Map((data.secrets as {name: string}[]).map((s) => [s.name, s]))
    expect(byName.get('DATABASE_URL')).toEqual({name: 'DATABASE_URL', provider: 'aws-dev', providers: ['vault-dev', 'aws-dev'], injected: true, overrides: false})
    expect(byName.get('__proto__')).toMatchObject({provider: 'vault-dev', injected: true})
    expect(byName.get(NEWLINE_NAME)).toMatchObject({injected: false, withheld: 'invalid-name'})
    expect(data.duplicates).toEqual([
      {name: 'DATABASE_URL', providers: ['vault-dev', 'aws-dev'], winner: 'aws-dev', sameValue: false},
      {name: 'SHARED', providers: ['vault-dev', 'aws-dev'], winner: null, sameValue: true},
    ])
    expect(data.withheld).toEqual(
      expect.arrayContaining([
        {name: 'NODE_OPTIONS', reason: 'reserved', flag: '--allow-reserved-env'},
        {name: NEWLINE_NAME, reason: 'invalid-name', flag: null},
        {name: ANSI_NAME, reason: 'invalid-name', flag: null},
        {name: 'SEALED_ONE', reason: 'sealed', flag: null},
      ]),
    )
    expect(data.overrides).toEqual(['LOG_LEVEL'])
    expect(data.removed).toEqual(['BELLA_BAXTER_API_KEY'])
    expect(data.size).toMatchObject({fits: true})
    expect(data.size.bytes).toBeGreaterThan(0)
  })

  it('still explains when the providers cannot be listed, saying so', async () => {
    emulator.injectFault({type: 'status', status: 403, count: 'always', pathPrefix: '/api/v1/projects/explain/environments/dev/providers'})
    const r = await bella(['run', '--explain', '--json', '--', 'true'], {env: env()})
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Warning: the API refused to list the providers of explain/dev')
    const data = JSON.parse(r.stdout)
    expect(data.providers).toBeNull()
    expect(data.providersUnavailable).toContain('api_forbidden')
    expect(data.secrets.find((s: {name: string}) => s.name === 'DATABASE_URL')).toMatchObject({provider: null, injected: true})
  })

  it('errors as usual: --json without --explain, --explain with --watch or --fallback-only, a wrong key', async () => {
    const json = await bella(['run', '--json', '--', 'true'], {env: env()})
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error.message).toContain('--json only applies to --explain')

    const watch = await bella(['run', '--explain', '--watch', '--', 'true'], {env: env()})
    expect(watch.code).toBe(2)

    // --explain asks the API; it never explains from the offline snapshot.
    const offline = await bella(['run', '--explain', '--fallback-only', '--', 'true'], {env: env()})
    expect(offline.code).toBe(2)
    expect(offline.stderr).toContain('--fallback-only=true cannot also be provided when using --explain')

    const {file, command} = marker()
    const wrong = await bella(['run', '--explain', '--', ...command], {env: env({BELLA_BAXTER_API_KEY: `bax-${'f'.repeat(32)}-${'ab'.repeat(32)}`})})
    expect(wrong.code).toBe(3)
    expect(existsSync(file)).toBe(false)
  })
})
