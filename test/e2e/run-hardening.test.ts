/**
 * `bella run` hardening (the secrets bella must not pass on, or cannot): the real bin/run.js
 * against an in-process emulator of its own, with test/fixtures/lifecycle-env.js reporting what
 * the child received as fingerprints (never values). Every test first checks that no secret value
 * reached bella's stdout or stderr, so a failing expectation can never print one.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {createHash, randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, fixtures, isolatedHome} from '../helpers/cli.js'

const node = process.execPath
const envFixture = join(fixtures, 'lifecycle-env.js')
const target = {project: 'demo', environment: 'dev'}
const tag = randomBytes(6).toString('hex')

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearFaults())

/** Every secret value a test set; none may appear in bella's output. */
const setValues: Record<string, string> = {}
function setSecrets(secrets: Record<string, string>): void {
  Object.assign(setValues, secrets)
  emulator.setSecrets(target, {set: secrets})
}
function unsetSecrets(names: string[]): void {
  emulator.setSecrets(target, {unset: names})
}

const bellaEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  ...isolatedHome(),
  BELLA_BAXTER_URL: emulator.url,
  BELLA_BAXTER_API_KEY: emulator.apiKey,
  ...extra,
})
const fingerprint = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16)
/**
 * Names (never values) of the secrets whose value occurs in `text`: as written, JSON-escaped, its
 * first 32 characters (messages cut long values), or any NUL-separated piece of it (Node's
 * messages show a NUL as \x00).
 */
const leaked = (text: string, values: Record<string, string> = setValues) =>
  Object.entries(values)
    .filter(([, value]) =>
      [value, JSON.stringify(value).slice(1, -1), value.slice(0, 32), ...value.split('\0')].some((v) => v.length >= 6 && text.includes(v)),
    )
    .map(([name]) => name)

/** `bella run [flags] -- node lifecycle-env.js NAMES…`: what the child saw, by fingerprint. */
async function runSeeing(names: string[], options: {flags?: string[]; env?: Record<string, string>} = {}) {
  const r = await bella(['run', ...(options.flags ?? []), '--', node, envFixture, ...names], {env: bellaEnv(options.env)})
  expect(leaked(r.stdout + r.stderr)).toEqual([])
  const seen = r.code === 0 ? (JSON.parse(r.stdout) as {fingerprints: Record<string, string | null>}).fingerprints : undefined
  return {...r, seen}
}

describe('bella run: names the child must not get', () => {
  const loaderNames = ['GLIBC_TUNABLES', 'NODE_EXTRA_CA_CERTS', 'ENV', 'BASH_ENV', 'GIT_SSH_COMMAND']

  it('withholds GLIBC_TUNABLES, NODE_EXTRA_CA_CERTS, ENV, BASH_ENV and GIT_SSH_COMMAND as reserved, naming them', async () => {
    const secrets = Object.fromEntries(loaderNames.map((name) => [name, `/nonexistent/${name.toLowerCase()}-${tag}`]))
    setSecrets(secrets)
    try {
      const r = await runSeeing(loaderNames)
      expect(r.code).toBe(0)
      expect(r.seen).toEqual(Object.fromEntries(loaderNames.map((name) => [name, null])))
      for (const name of loaderNames) expect(r.stderr).toMatch(new RegExp(`[ ,:]${name}[,.]`))
      expect(r.stderr).toContain('reserved')
    } finally {
      unsetSecrets(loaderNames)
    }
  })

  it("does not pass bella's BELLA_BAXTER_PRIVATE_KEY to the child, unless --pass-credentials", async () => {
    const {privateKey} = await import('node:crypto').then((c) => c.generateKeyPairSync('ec', {namedCurve: 'prime256v1'}))
    const pem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
    setValues.DEVICE_KEY = pem
    const plain = await runSeeing(['BELLA_BAXTER_PRIVATE_KEY', 'LOG_LEVEL'], {env: {BELLA_BAXTER_PRIVATE_KEY: pem}})
    expect(plain.code).toBe(0)
    expect(plain.seen!.BELLA_BAXTER_PRIVATE_KEY).toBeNull()
    expect(plain.seen!.LOG_LEVEL).not.toBeNull() // the device key did decrypt the secrets
    const passed = await runSeeing(['BELLA_BAXTER_PRIVATE_KEY'], {flags: ['--pass-credentials'], env: {BELLA_BAXTER_PRIVATE_KEY: pem}})
    expect(passed.code).toBe(0)
    expect(passed.seen!.BELLA_BAXTER_PRIVATE_KEY).toBe(fingerprint(pem))
  })
})

describe('bella run: values an environment cannot hold', () => {
  it('withholds a value with a NUL byte with a warning naming the secret, never the value, and runs the command', async () => {
    setSecrets({DB_PASSWORD: `hunter2-${tag}\u0000-after-the-nul-${tag}`, NUL_NEIGHBOUR: `fine-${tag}`})
    try {
      const r = await runSeeing(['DB_PASSWORD', 'NUL_NEIGHBOUR'])
      expect(r.stderr).not.toContain('null bytes')
      expect(r.code).toBe(0)
      expect(r.seen).toEqual({DB_PASSWORD: null, NUL_NEIGHBOUR: fingerprint(`fine-${tag}`)})
      expect(r.stderr).toMatch(/^Warning: .*DB_PASSWORD.*NUL/m)
    } finally {
      unsetSecrets(['DB_PASSWORD', 'NUL_NEIGHBOUR'])
    }
  })
})

describe('bella run: a secret too large for an environment variable', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip
  onLinux('exits 126 naming the secret, its size and the 128 KiB per-variable limit, suggesting the file sinks; the command never starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bella-run-big-'))
    const marker = join(dir, 'started')
    setSecrets({BIG_CERT: `big-${tag}-${'x'.repeat(140 * 1024)}`})
    try {
      const r = await bella(['run', '--', node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {env: bellaEnv()})
      expect(leaked(r.stdout + r.stderr)).toEqual([])
      expect(r.stderr).not.toContain('spawn E2BIG')
      expect(r.code).toBe(126)
      expect(r.stderr).toMatch(/BIG_CERT is 143,\d{3} bytes/)
      expect(r.stderr).toContain('131,072')
      expect(r.stderr).toContain('bella agent')
      expect(existsSync(marker)).toBe(false)
    } finally {
      unsetSecrets(['BIG_CERT'])
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('bella run: a malformed secrets response', () => {
  it.each(['secrets-null', 'secrets-array', 'secrets-missing', 'value-not-string'] as const)(
    'with %s is an API error (exit 4) naming the endpoint; nothing is injected, the command never starts',
    async (mode) => {
      const dir = mkdtempSync(join(tmpdir(), 'bella-run-malformed-'))
      const marker = join(dir, 'started')
      emulator.injectFault({type: 'payload', mode, count: 'always'})
      try {
        const r = await bella(['run', '--', node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {env: bellaEnv()})
        expect(leaked(r.stdout + r.stderr)).toEqual([])
        expect(r.code).toBe(4)
        expect(r.stderr).toContain('/api/v1/projects/demo/environments/dev/secrets')
        expect(r.stderr).toContain('malformed')
        expect(existsSync(marker)).toBe(false)
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  )
})

describe('bella run: values sealed at rest', () => {
  it('withholds bellabaxter:v1:/v2: values with a warning naming the secrets, never the values', async () => {
    const sealed = {SEALED_V1: `bellabaxter:v1:${Buffer.from(`sealed-one-${tag}`).toString('base64')}`, SEALED_V2: `bellabaxter:v2:${Buffer.from(`sealed-two-${tag}`).toString('base64')}`}
    setSecrets({...sealed, PLAIN_NEIGHBOUR: `plain-${tag}`})
    try {
      const r = await runSeeing(['SEALED_V1', 'SEALED_V2', 'PLAIN_NEIGHBOUR'])
      expect(r.code).toBe(0)
      expect(r.seen).toEqual({SEALED_V1: null, SEALED_V2: null, PLAIN_NEIGHBOUR: fingerprint(`plain-${tag}`)})
      expect(r.stderr).toMatch(/^Warning: .*sealed.*SEALED_V1, SEALED_V2/m)
    } finally {
      unsetSecrets(['SEALED_V1', 'SEALED_V2', 'PLAIN_NEIGHBOUR'])
    }
  })
})

describe('names are data: __proto__, constructor, toString', () => {
  // A literal {__proto__: …} would set the prototype: build the map the way JSON.parse does.
  const oddMap = () => Object.fromEntries([['__proto__', `proto-${tag}`], ['constructor', `ctor-${tag}`], ['toString', `tostring-${tag}`]])

  it('bella emulator set stores them and bella run hands all three to the child', async () => {
    Object.assign(setValues, {PROTO: `proto-${tag}`, CTOR: `ctor-${tag}`, TOSTRING: `tostring-${tag}`})
    const words = Object.entries(oddMap()).map(([name, value]) => `${name}=${value}`)
    const set = await bella(['emulator', 'set', ...words], {env: bellaEnv()})
    expect(leaked(set.stdout + set.stderr)).toEqual([])
    expect([set.code, set.stderr]).toEqual([0, expect.any(String)])
    try {
      const r = await runSeeing(['__proto__', 'constructor', 'toString'])
      expect([r.code, r.stderr]).toEqual([0, ''])
      expect(r.seen).toEqual(Object.fromEntries(Object.entries(oddMap()).map(([name, value]) => [name, fingerprint(value)])))
      expect(r.stderr).toBe('')
    } finally {
      unsetSecrets(['__proto__', 'constructor', 'toString'])
    }
  })
})
