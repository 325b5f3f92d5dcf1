import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({port: 0})
})
afterAll(() => emulator.close())

const configFile = (home: {XDG_CONFIG_HOME: string}) => join(home.XDG_CONFIG_HOME, 'bella', 'config.json')

describe('bella config get|set|unset|list', () => {
  it('set, get, list (text and --json) and unset the user config; the file is 0600 with no temp file left', async () => {
    const env = isolatedHome()
    expect(await bella(['config', 'set', 'project', 'shop'], {env})).toMatchObject({code: 0, stdout: ''})
    expect((await bella(['config', 'set', 'api-url', `${emulator.url}/`], {env})).code).toBe(0)
    expect(await bella(['config', 'get', 'project'], {env})).toMatchObject({code: 0, stdout: 'shop\n'})
    expect(await bella(['config', 'get', 'api-url'], {env})).toMatchObject({code: 0, stdout: `${emulator.url}\n`})
    expect((await bella(['config', 'list'], {env})).stdout).toBe(`api-url = ${emulator.url}\nproject = shop\n`)
    expect(JSON.parse((await bella(['config', 'list', '--json'], {env})).stdout)).toEqual({'api-url': emulator.url, project: 'shop'})
    expect(statSync(configFile(env)).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(env.XDG_CONFIG_HOME, 'bella'))).toEqual(['config.json'])

    expect((await bella(['config', 'unset', 'project'], {env})).code).toBe(0)
    const missing = await bella(['config', 'get', 'project'], {env})
    expect(missing).toMatchObject({code: 1, stdout: ''})
    expect(missing.stderr).toContain('project is not set')
    expect(JSON.parse(readFileSync(configFile(env), 'utf8'))).toEqual({apiUrl: emulator.url})
  })

  it('an unknown key is refused with a did-you-mean, and nothing is written', async () => {
    const env = isolatedHome()
    for (const command of ['set', 'get', 'unset']) {
      const r = await bella(['config', command, 'projct', ...(command === 'set' ? ['shop'] : [])], {env})
      expect([command, r.code]).toEqual([command, 2])
      expect(r.stderr).toContain('Unknown config key "projct" (did you mean "project"?)')
    }
    expect(readdirSync(env.HOME)).not.toContain('.config')
  })

  it('invalid values are refused and the file keeps its previous value', async () => {
    const env = isolatedHome()
    expect((await bella(['config', 'set', 'environment', 'production'], {env})).code).toBe(0)
    const before = readFileSync(configFile(env), 'utf8')
    for (const [key, value] of [['environment', 'prod uction'], ['api-url', 'not a url'], ['api-url', 'http://example.com'], ['app', 'a\u0007b']] as const) {
      const r = await bella(['config', 'set', key, value], {env})
      expect([key, value, r.code]).toEqual([key, value, 2])
      expect(r.stderr).toMatch(/^Error: /m)
    }
    expect(readFileSync(configFile(env), 'utf8')).toBe(before)
    expect((await bella(['config', 'set', 'api-url', 'http://example.com', '--insecure'], {env})).code).toBe(0)
  })

  it('keeps keys it does not manage (the login URL) when it rewrites the file', async () => {
    const env = isolatedHome()
    expect((await bella(['config', 'set', 'app', 'x'], {env})).code).toBe(0)
    writeFileSync(configFile(env), JSON.stringify({app: 'x', loginUrl: emulator.url}), {mode: 0o600})
    expect((await bella(['config', 'set', 'project', 'demo'], {env})).code).toBe(0)
    expect(JSON.parse(readFileSync(configFile(env), 'utf8'))).toEqual({app: 'x', loginUrl: emulator.url, project: 'demo'})
  })

  it('a later command uses the configured api-url, and whoami names the config file as its source', async () => {
    const env = isolatedHome()
    expect((await bella(['config', 'set', 'api-url', emulator.url], {env})).code).toBe(0)
    const who = await bella(['whoami', '--json'], {env: {...env, BELLA_BAXTER_API_KEY: emulator.apiKey}})
    expect(who.code).toBe(0)
    expect(JSON.parse(who.stdout).apiUrl).toMatchObject({value: emulator.url, source: 'user-config'})
  })
})
