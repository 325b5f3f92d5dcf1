import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {itWithPty} from '../helpers/os-tools.js'
import {bellaOnTerminal} from '../helpers/terminal.js'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())

const secretPart = () => emulator.apiKey.split('-')[2]!

describe('bella whoami', () => {
  it('shows server, key prefix, project and environment with where each came from', async () => {
    const r = await bella(['whoami'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`API URL\\s+${emulator.url.replace(/\./g, '\\.')}\\s+\\(BELLA_BAXTER_URL\\)`))
    expect(r.stdout).toMatch(/Project\s+demo\s+\(GET \/api\/v1\/keys\/me\)/)
    expect(r.stdout).toMatch(/Environment\s+dev\s+\(GET \/api\/v1\/keys\/me\)/)
    expect(r.stdout + r.stderr).not.toContain(secretPart())
  })

  it('--json reports values and sources; flags beat the environment', async () => {
    const r = await bella(['whoami', '--json', '-e', 'dev'], {
      env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey, BELLA_BAXTER_ENV: 'other'},
    })
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json.environment).toEqual({value: 'dev', source: 'flag', origin: '--environment'})
    expect(json.project).toMatchObject({value: 'demo', source: 'key-context'})
    expect(json.credentials).toMatchObject({kind: 'api-key', source: 'env', origin: 'BELLA_BAXTER_API_KEY'})
    expect(r.stdout).not.toContain(secretPart())
  })

  it('with project and environment given (flags or .bella), it still proves the key live: a wrong key exits 3, a dead URL 4', async () => {
    const home = isolatedHome()
    const good = await bella(['whoami', '--json', '-p', 'demo', '-e', 'dev'], {env: {...home, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(good.code).toBe(0)
    expect(JSON.parse(good.stdout)).toMatchObject({verified: true, role: expect.any(String)})
    const wrong = `bax-${'f'.repeat(32)}-${'ab'.repeat(32)}`
    expect((await bella(['whoami', '-p', 'demo', '-e', 'dev'], {env: {...home, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: wrong}})).code).toBe(3)
    const dead = await bella(['whoami', '-p', 'demo', '-e', 'dev'], {env: {...home, BELLA_BAXTER_URL: 'http://127.0.0.1:1', BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(dead.code).toBe(4)
  })

  it('--offline asks nothing, says it did not check, and reports verified: false', async () => {
    const r = await bella(['whoami', '--offline', '--json', '-p', 'demo'], {env: {...isolatedHome(), BELLA_BAXTER_URL: 'http://127.0.0.1:1', BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({verified: false, project: {value: 'demo', source: 'flag'}})
    expect(r.stderr).toContain('not checked with the API')
  })

  it('a key the server does not know exits 3 with the status and a next step', async () => {
    const wrong = `bax-${'f'.repeat(32)}-${'ab'.repeat(32)}`
    const r = await bella(['whoami'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: wrong}})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('401')
    expect(r.stderr).toContain('BELLA_BAXTER_API_KEY')
    expect(r.stderr).toContain('Try:')
    expect(r.stderr).not.toContain('ab'.repeat(32))
    expect(r.stdout).toBe('')
  })

  it('without credentials exits 3 and says how to provide them', async () => {
    const r = await bella(['whoami'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url, BELLA_CREDENTIAL_STORE: 'file'}})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('Not authenticated')
    expect(r.stderr).toContain('bella login --api-key')
  })

  it('--json renders errors as JSON on stdout', async () => {
    const r = await bella(['whoami', '--json'], {env: {...isolatedHome(), BELLA_BAXTER_URL: 'http://127.0.0.1:1', BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(4)
    expect(JSON.parse(r.stdout).error).toMatchObject({code: 'api_unreachable', exitCode: 4})
  })

  it('refuses plain http to a remote host unless --insecure', async () => {
    const r = await bella(['whoami', '--api-url', 'http://api.example.com'], {env: {...isolatedHome(), BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--insecure')
  })
})

describe('bella login / logout', () => {
  it('verifies, stores in a 0600 file, is used by later commands, and logout removes it', async () => {
    const home = isolatedHome()
    const env = {...home, BELLA_BAXTER_URL: emulator.url}
    const login = await bella(['login', '--api-key', emulator.apiKey], {env})
    expect(login.code).toBe(0)
    expect(login.stdout).toBe('')
    expect(login.stderr).toContain(`Logged in to ${emulator.url} with key bax-`)
    expect(login.stderr).not.toContain(secretPart())
    const file = join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(home.XDG_CONFIG_HOME, 'bella')).mode & 0o777).toBe(0o700)

    const who = await bella(['whoami', '--json'], {env})
    expect(who.code).toBe(0)
    expect(JSON.parse(who.stdout).credentials).toMatchObject({source: 'credential-store'})

    const logout = await bella(['logout'], {env})
    expect(logout.code).toBe(0)
    expect(logout.stderr).toContain('Removed the stored API key')
    expect((await bella(['whoami'], {env})).code).toBe(3)
  })

  it('reads the key from stdin with --api-key -', async () => {
    const home = isolatedHome()
    const r = await bella(['login', '--api-key', '-'], {env: {...home, BELLA_BAXTER_URL: emulator.url}, input: `${emulator.apiKey}\n`})
    expect(r.code).toBe(0)
    expect(existsSync(join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json'))).toBe(true)
  })

  it('does not store a key the API rejects (exit 3)', async () => {
    const home = isolatedHome()
    const wrong = `bax-${'e'.repeat(32)}-${'cd'.repeat(32)}`
    const r = await bella(['login', '--api-key', wrong], {env: {...home, BELLA_BAXTER_URL: emulator.url}})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('it was not stored')
    expect(existsSync(join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json'))).toBe(false)
  })

  it('rejects a malformed key before any request (exit 2)', async () => {
    const r = await bella(['login', '--api-key', 'not-a-key'], {env: {...isolatedHome(), BELLA_BAXTER_URL: 'http://127.0.0.1:1'}})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not a Bella API key')
  })

  it('does not store a key it could not verify (exit 4)', async () => {
    const home = isolatedHome()
    const r = await bella(['login', '--api-key', emulator.apiKey], {env: {...home, BELLA_BAXTER_URL: 'http://127.0.0.1:1'}})
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('it was not stored')
    expect(existsSync(join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json'))).toBe(false)
  })
})

describe('bella login: the URL it verified against, one key per URL', () => {
  let second: Emulator
  beforeAll(async () => {
    second = await startEmulator({port: 0})
  })
  afterAll(() => second.close())

  const credentialsFile = (home: {XDG_CONFIG_HOME: string}) => join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json')

  it('a later command without --api-url uses the login URL, and whoami says so', async () => {
    const home = isolatedHome()
    expect((await bella(['login', '--api-key', emulator.apiKey, '--api-url', emulator.url], {env: home})).code).toBe(0)
    const who = await bella(['whoami', '--json'], {env: home})
    expect(who.code).toBe(0)
    const json = JSON.parse(who.stdout)
    expect(json.apiUrl).toMatchObject({value: emulator.url, source: 'login'})
    expect(json.apiUrl.origin).toContain('bella login')
    expect(json.credentials).toMatchObject({source: 'credential-store'})
    expect((await bella(['whoami'], {env: home})).stdout).toMatch(/API URL\s+\S+\s+\(bella login/)
  })

  it('logging in to a second URL keeps both; --api-url switches; logout removes only that URL\'s key', async () => {
    const home = isolatedHome()
    expect((await bella(['login', '--api-key', emulator.apiKey, '--api-url', emulator.url], {env: home})).code).toBe(0)
    expect((await bella(['login', '--api-key', second.apiKey, '--api-url', second.url], {env: home})).code).toBe(0)
    expect(Object.keys(JSON.parse(readFileSync(credentialsFile(home), 'utf8'))).sort()).toEqual([`api-key@${emulator.url}`, `api-key@${second.url}`].sort())
    // The last login's URL is the default now; the first is one flag (or config set api-url) away.
    const now = JSON.parse((await bella(['whoami', '--json'], {env: home})).stdout)
    expect(now.apiUrl.value).toBe(second.url)
    const first = await bella(['whoami', '--json', '--api-url', emulator.url], {env: home})
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout).apiUrl).toMatchObject({value: emulator.url, source: 'flag'})
    expect((await bella(['logout', '--api-url', second.url], {env: home})).code).toBe(0)
    expect(Object.keys(JSON.parse(readFileSync(credentialsFile(home), 'utf8')))).toEqual([`api-key@${emulator.url}`])
    expect((await bella(['whoami', '--api-url', emulator.url], {env: home})).code).toBe(0)
  })

  it('a key stored by an older bella (no URL) is still used', async () => {
    const home = isolatedHome()
    expect((await bella(['login', '--api-key', emulator.apiKey, '--api-url', emulator.url], {env: home})).code).toBe(0)
    writeFileSync(credentialsFile(home), JSON.stringify({'api-key': emulator.apiKey}), {mode: 0o600})
    expect((await bella(['whoami'], {env: {...home, BELLA_BAXTER_URL: emulator.url}})).code).toBe(0)
  })

  it('without --api-key and without a terminal: exit 2, saying how to pass the key', async () => {
    const r = await bella(['login'], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url}})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No API key was given')
    expect(r.stderr).toContain('--api-key -')
  })
})

describe('bella login at a terminal', () => {
  const itPty = itWithPty('auth')

  for (const args of [['login'], ['login', '--api-key', '-']]) {
    itPty(`\`bella ${args.join(' ')}\` asks for the key with hidden input, then stores it`, async () => {
      const home = isolatedHome()
      const t = bellaOnTerminal(args, {...home, BELLA_BAXTER_URL: emulator.url})
      await t.waitFor(/API key/)
      t.type(`${emulator.apiKey}\r`)
      expect(await t.exit).toBe(0)
      expect(t.screen()).toContain('Logged in to')
      expect(t.screen()).not.toContain(secretPart()) // not echoed
      expect(JSON.parse(readFileSync(join(home.XDG_CONFIG_HOME, 'bella', 'credentials.json'), 'utf8'))).toEqual({[`api-key@${emulator.url}`]: emulator.apiKey})
    })
  }

  itPty('`bella login --api-key bax-…` warns that the key is visible in ps and shell history, and says what to use instead', async () => {
    const t = bellaOnTerminal(['login', '--api-key', emulator.apiKey], {...isolatedHome(), BELLA_BAXTER_URL: emulator.url})
    expect(await t.exit).toBe(0)
    expect(t.screen()).toContain('a key given with --api-key can be read by other users of this machine')
    expect(t.screen()).toContain('bella login --api-key -')
  })
})

it('login --api-key bax-… without a terminal (a script) stores the key without the warning', async () => {
  const r = await bella(['login', '--api-key', emulator.apiKey], {env: {...isolatedHome(), BELLA_BAXTER_URL: emulator.url}})
  expect(r.code).toBe(0)
  expect(r.stderr).not.toContain('can be read by other users')
})
