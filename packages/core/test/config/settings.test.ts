import {afterEach, describe, expect, it} from '@jest/globals'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {configDirFrom, resolveSettings, type ResolveSettingsInput} from '../../src/config/index.js'
import {isBellaError} from '../../src/errors.js'
import {sessionInputFrom} from '../../src/session-input.js'
import {tempDirs} from './temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

interface Layers {
  flags?: ResolveSettingsInput['flags']
  env?: Record<string, string | undefined>
  bella?: string
  userConfig?: Record<string, unknown>
}

function setup(layers: Layers) {
  const root = dirs.make()
  const cwd = join(root, 'repo')
  const configDir = join(root, 'home', '.config', 'bella')
  mkdirSync(cwd, {recursive: true})
  mkdirSync(configDir, {recursive: true})
  if (layers.bella !== undefined) writeFileSync(join(cwd, '.bella'), layers.bella)
  if (layers.userConfig) writeFileSync(join(configDir, 'config.json'), JSON.stringify(layers.userConfig))
  const input: ResolveSettingsInput = {
    flags: layers.flags ?? {},
    env: {HOME: join(root, 'home'), ...layers.env},
    cwd,
    configDir,
  }
  return {root, cwd, configDir, input}
}

function thrown(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (isBellaError(error)) return error
    throw error
  }
  throw new Error('expected an error')
}

const SETTINGS = [
  {key: 'project', flag: '--project', env: 'BELLA_BAXTER_PROJECT', bellaKey: 'project'},
  {key: 'environment', flag: '--environment', env: 'BELLA_BAXTER_ENV', bellaKey: 'environment'},
  {key: 'app', flag: '--app', env: 'BELLA_BAXTER_APP_CLIENT', bellaKey: 'app'},
] as const

describe('resolveSettings precedence', () => {
  for (const s of SETTINGS) {
    describe(s.key, () => {
      const all: Layers = {
        flags: {[s.key]: 'from-flag'},
        env: {[s.env]: 'from-env'},
        bella: `${s.bellaKey} = from-bella\n`,
        userConfig: {[s.key]: 'from-config'},
      }

      it('takes the flag over everything', () => {
        const {input} = setup(all)
        expect(resolveSettings(input)[s.key]).toEqual({value: 'from-flag', source: 'flag', origin: s.flag})
      })

      it('takes the environment over .bella and user config', () => {
        const {input} = setup({...all, flags: {}})
        expect(resolveSettings(input)[s.key]).toEqual({value: 'from-env', source: 'env', origin: s.env})
      })

      it('takes .bella over user config, naming the file', () => {
        const {input, cwd} = setup({...all, flags: {}, env: {}})
        expect(resolveSettings(input)[s.key]).toEqual({
          value: 'from-bella',
          source: 'bella-file',
          origin: join(cwd, '.bella'),
        })
      })

      it('takes the user config last, shown under ~', () => {
        const {input} = setup({userConfig: all.userConfig})
        expect(resolveSettings(input)[s.key]).toEqual({
          value: 'from-config',
          source: 'user-config',
          origin: join('~', '.config', 'bella', 'config.json'),
        })
      })

      it('is undefined when nothing sets it', () => {
        const {input} = setup({})
        expect(resolveSettings(input)[s.key]).toBeUndefined()
      })

      it('treats an empty or blank environment variable as unset', () => {
        const {input} = setup({env: {[s.env]: ''}, userConfig: all.userConfig})
        expect(resolveSettings(input)[s.key]?.source).toBe('user-config')
        const blank = setup({env: {[s.env]: '  '}, userConfig: all.userConfig})
        expect(resolveSettings(blank.input)[s.key]?.source).toBe('user-config')
      })

      it('refuses an explicitly empty flag', () => {
        const {input} = setup({...all, flags: {[s.key]: ''}})
        const error = thrown(() => resolveSettings(input))
        expect(error.exitCode).toBe(2)
        expect(error.message).toContain(s.flag)
      })
    })
  }

  it('resolves each setting independently', () => {
    const {input, cwd} = setup({
      flags: {project: 'p-flag'},
      bella: 'project = p-bella\nenvironment = e-bella\n',
      userConfig: {app: 'a-config'},
    })
    const settings = resolveSettings(input)
    expect(settings.project?.source).toBe('flag')
    expect(settings.environment).toEqual({value: 'e-bella', source: 'bella-file', origin: join(cwd, '.bella')})
    expect(settings.app?.source).toBe('user-config')
    expect(settings.bellaFile).toBe(join(cwd, '.bella'))
  })
})

describe('resolveSettings: apiUrl', () => {
  it('defaults to the hosted API', () => {
    const {input} = setup({})
    expect(resolveSettings(input).apiUrl).toEqual({value: 'https://api.bella-baxter.io', source: 'default', origin: 'default'})
  })

  it('takes flag → env → user config, trimming trailing slashes', () => {
    const layers: Layers = {
      flags: {apiUrl: 'https://flag.example/'},
      env: {BELLA_BAXTER_URL: 'https://env.example//'},
      userConfig: {apiUrl: 'https://config.example/base/'},
    }
    expect(resolveSettings(setup(layers).input).apiUrl).toEqual({
      value: 'https://flag.example',
      source: 'flag',
      origin: '--api-url',
    })
    expect(resolveSettings(setup({...layers, flags: {}}).input).apiUrl).toEqual({
      value: 'https://env.example',
      source: 'env',
      origin: 'BELLA_BAXTER_URL',
    })
    const fromConfig = resolveSettings(setup({userConfig: layers.userConfig}).input).apiUrl
    expect(fromConfig).toMatchObject({value: 'https://config.example/base', source: 'user-config'})
  })

  it('is never taken from .bella, even when it names one', () => {
    const {input} = setup({bella: 'apiUrl = https://evil.example\napi_url = https://evil.example\nurl=https://evil.example\n'})
    expect(resolveSettings(input).apiUrl.value).toBe('https://api.bella-baxter.io')
  })

  it('refuses plain http to a non-loopback host, with a usage error naming the source', () => {
    const {input} = setup({env: {BELLA_BAXTER_URL: 'http://secrets.example.com:5522'}})
    const error = thrown(() => resolveSettings(input))
    expect(error.exitCode).toBe(2)
    expect(error.code).toBe('insecure_api_url')
    expect(error.message).toContain('secrets.example.com:5522')
    expect(error.message).toContain('BELLA_BAXTER_URL')
    expect(error.suggestions.join('\n')).toMatch(/https:\/\/secrets\.example\.com:5522/)
    expect(error.suggestions.join('\n')).toContain('--insecure')
  })

  it('allows plain http to a non-loopback host with insecure', () => {
    const {input} = setup({flags: {apiUrl: 'http://10.0.0.5:5522/', insecure: true}})
    expect(resolveSettings(input)).toMatchObject({apiUrl: {value: 'http://10.0.0.5:5522'}, insecure: true})
  })

  it.each(['http://127.0.0.1:5522', 'http://localhost:5522', 'http://LOCALHOST', 'http://127.8.9.10', 'http://[::1]:5522'])(
    'allows plain http to loopback %s',
    (url) => {
      const {input} = setup({flags: {apiUrl: url}})
      expect(resolveSettings(input).apiUrl.value).toBe(url)
    },
  )

  it.each([
    ['http://localhost.evil.example', 'insecure_api_url'],
    ['http://128.0.0.1', 'insecure_api_url'],
    ['not a url', 'invalid_api_url'],
    ['api.bella-baxter.io', 'invalid_api_url'],
    ['ftp://api.example', 'invalid_api_url'],
    ['https://user:pw@api.example', 'invalid_api_url'],
    ['https://api.example/?x=1', 'invalid_api_url'],
  ])('refuses %s', (url, code) => {
    const {input} = setup({flags: {apiUrl: url}})
    expect(thrown(() => resolveSettings(input))).toMatchObject({code, exitCode: 2})
  })

  it('names the source of an invalid URL without echoing the value', () => {
    const env = setup({env: {BELLA_BAXTER_URL: 'bax-notaurl'}})
    const fromEnv = thrown(() => resolveSettings(env.input))
    expect(fromEnv.message).toBe('BELLA_BAXTER_URL is not a valid URL')
    expect(fromEnv.message).not.toContain('bax-notaurl')

    const flag = setup({flags: {apiUrl: '::'}})
    expect(thrown(() => resolveSettings(flag.input)).message).toBe('--api-url is not a valid URL')

    const config = setup({userConfig: {apiUrl: 'nope'}})
    expect(thrown(() => resolveSettings(config.input)).message).toBe(
      `${join('~', '.config', 'bella', 'config.json')} is not a valid URL`,
    )
  })
})

describe('resolveSettings: user config file', () => {
  it('reports malformed JSON as a usage error naming the file', () => {
    const {input, configDir} = setup({})
    writeFileSync(join(configDir, 'config.json'), '{"project": ')
    const error = thrown(() => resolveSettings(input))
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain(join('~', '.config', 'bella', 'config.json'))
  })

  it('reports a non-string setting as a usage error naming the key', () => {
    const {input} = setup({userConfig: {project: 42}})
    expect(thrown(() => resolveSettings(input)).message).toMatch(/"project" must be a string/)
  })

  it('ignores unknown keys and the credentialStore record', () => {
    const {input} = setup({userConfig: {credentialStore: 'file', somethingElse: true, environment: 'dev'}})
    expect(resolveSettings(input).environment?.value).toBe('dev')
  })

  it('warns about each unknown key with file:line, the key and a did-you-mean, and still resolves', () => {
    const {input, configDir} = setup({})
    writeFileSync(join(configDir, 'config.json'), '{\n  "projct": "shop",\n  "api-url": "http://localhost:1",\n  "environment": "dev"\n}\n')
    const warnings: string[] = []
    expect(resolveSettings({...input, warn: (m) => warnings.push(m)}).environment?.value).toBe('dev')
    const shown = join('~', '.config', 'bella', 'config.json')
    expect(warnings).toEqual([
      expect.stringContaining(`${shown}:2: unknown key "projct" is ignored (did you mean "project"?)`),
      expect.stringContaining(`${shown}:3: unknown key "api-url" is ignored (did you mean "apiUrl"?)`),
    ])
  })

  it('shows the absolute path when the config dir is not under HOME', () => {
    const {input, configDir} = setup({userConfig: {project: 'p'}})
    expect(resolveSettings({...input, env: {}}).project?.origin).toBe(join(configDir, 'config.json'))
  })
})

describe('resolveSettings: .bella problems', () => {
  it('are warnings with the file and line, and the rest of the file still applies', () => {
    const {input, cwd} = setup({bella: 'project = shop\nurl = https://elsewhere.example\nenviroment: dev\n'})
    const warnings: string[] = []
    const settings = resolveSettings({...input, warn: (m) => warnings.push(m)})
    expect(settings.project?.value).toBe('shop')
    expect(settings.apiUrl.value).not.toContain('elsewhere')
    const shown = join(cwd, '.bella')
    expect(warnings).toEqual([
      expect.stringContaining(`${shown}:2: "url" is ignored on purpose`),
      expect.stringContaining(`${shown}:3: this line is not \`key = value\` and is ignored (did you mean "environment = dev"?)`),
    ])
  })
})

describe('resolveSettings: timeout', () => {
  it('is --timeout, then BELLA_TIMEOUT, then 30 s, remembering where it came from', () => {
    expect(resolveSettings(setup({flags: {timeout: '2.5'}, env: {BELLA_TIMEOUT: '9'}}).input).timeout).toEqual({value: 2.5, source: 'flag', origin: '--timeout'})
    expect(resolveSettings(setup({env: {BELLA_TIMEOUT: ' 9 '}}).input).timeout).toEqual({value: 9, source: 'env', origin: 'BELLA_TIMEOUT'})
    expect(resolveSettings(setup({env: {BELLA_TIMEOUT: ''}}).input).timeout).toEqual({value: 30, source: 'default', origin: 'default'})
  })

  it.each([['0'], ['-1'], ['abc'], ['1e3'], ['Infinity'], ['']])('refuses --timeout %j as a usage error naming the flag', (value) => {
    const error = thrown(() => resolveSettings(setup({flags: {timeout: value}}).input))
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain('--timeout must be a positive number of seconds')
  })

  it('names BELLA_TIMEOUT when the variable is wrong', () => {
    expect(thrown(() => resolveSettings(setup({env: {BELLA_TIMEOUT: '5s'}}).input)).message).toContain('BELLA_TIMEOUT must be a positive number of seconds')
  })
})

describe('sessionInputFrom', () => {
  it('says each warning once however often the settings are resolved, prefixed like Output.warn by default', () => {
    const said: string[] = []
    const input = sessionInputFrom({}, (m) => said.push(m))
    input.warn?.('x.bella:1: odd')
    input.warn?.('x.bella:1: odd')
    input.notice?.('once')
    input.notice?.('once')
    expect(said).toEqual(['Warning: x.bella:1: odd', 'once'])
  })
})

describe('configDirFrom', () => {
  it('uses $XDG_CONFIG_HOME/bella when it is absolute', () => {
    expect(configDirFrom({XDG_CONFIG_HOME: '/xdg'}, '/home/u')).toBe(join('/xdg', 'bella'))
  })

  it('falls back to ~/.config/bella when XDG_CONFIG_HOME is unset, empty or relative', () => {
    expect(configDirFrom({}, '/home/u')).toBe(join('/home/u', '.config', 'bella'))
    expect(configDirFrom({XDG_CONFIG_HOME: ''}, '/home/u')).toBe(join('/home/u', '.config', 'bella'))
    expect(configDirFrom({XDG_CONFIG_HOME: 'rel/dir'}, '/home/u')).toBe(join('/home/u', '.config', 'bella'))
  })
})

describe('the app name', () => {
  it('must be text a header can carry: an emoji or a line break is refused by where it came from, not by Node on every request', () => {
    for (const [layers, origin] of [
      [{env: {BELLA_BAXTER_APP_CLIENT: 'shop 🛒'}}, 'BELLA_BAXTER_APP_CLIENT'],
      [{flags: {app: 'a\nX-Injected: 1'}}, '--app'],
    ] as const) {
      const error = thrown(() => resolveSettings(setup(layers).input))
      expect(error.code).toBe('invalid_app_client')
      expect(error.exitCode).toBe(2)
      expect(error.message).toContain(`The app name from ${origin} must be printable text`)
      expect(error.message).not.toContain('\n')
    }
    expect(resolveSettings(setup({env: {BELLA_BAXTER_APP_CLIENT: 'checkout-api (v2) café'}}).input).app?.value).toBe('checkout-api (v2) café')
  })
})
