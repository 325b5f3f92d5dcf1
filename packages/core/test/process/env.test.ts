import {describe, expect, it} from '@jest/globals'
import {buildChildEnv, describeWithheld, isReservedEnvName, RESERVED_ENV_NAMES} from '../../src/process/index.js'

const base = {passCredentials: false, allowReserved: false}

describe('buildChildEnv', () => {
  it('overlays secrets on the inherited environment, case-sensitively', () => {
    const {env, withheld} = buildChildEnv({
      ...base,
      inherited: {HOME: '/home/u', FOO: 'old', foo: 'lower', GONE: undefined},
      secrets: {FOO: 'new', BAR: 'b'},
    })
    expect(env).toEqual({HOME: '/home/u', FOO: 'new', foo: 'lower', BAR: 'b'})
    expect(withheld).toEqual([])
  })

  it("strips bella's credentials from the inherited environment unless passCredentials", () => {
    const inherited = {BELLA_BAXTER_API_KEY: 'k', BELLA_BAXTER_ACCESS_TOKEN: 't', BELLA_API_KEY: 'old', BELLA_BAXTER_URL: 'u'}
    expect(buildChildEnv({...base, inherited, secrets: {}}).env).toEqual({BELLA_BAXTER_URL: 'u'})
    expect(buildChildEnv({...base, passCredentials: true, inherited, secrets: {}}).env).toEqual(inherited)
  })

  it('withholds a secret named like a bella credential as reserved, even with passCredentials', () => {
    const result = buildChildEnv({...base, passCredentials: true, inherited: {BELLA_BAXTER_API_KEY: 'mine'}, secrets: {BELLA_BAXTER_API_KEY: 'vault'}})
    expect(result.env.BELLA_BAXTER_API_KEY).toBe('mine')
    expect(result.withheld).toEqual([{name: 'BELLA_BAXTER_API_KEY', reason: 'reserved'}])
    // ... and lets it through when named explicitly (bella exec injects the key on purpose)
    const exec = buildChildEnv({...base, inherited: {}, secrets: {BELLA_BAXTER_API_KEY: 'k'}, allowNames: ['BELLA_BAXTER_API_KEY']})
    expect(exec.env).toEqual({BELLA_BAXTER_API_KEY: 'k'})
  })

  it('withholds reserved names (exact, case-insensitive, and prefixes) and keeps the inherited value', () => {
    const secrets = {
      PATH: '/evil',
      path: '/evil2',
      Node_Options: '--require x',
      LD_PRELOAD: 'x.so',
      dyld_insert_libraries: 'y',
      BASH_FUNC_foo: '() { :; }',
      CORECLR_PROFILER_PATH: 'p',
      COR_PROFILER: 'q',
      OK_NAME: 'fine',
      PATHOLOGY: 'not reserved',
      MY_LD_THING: 'not reserved',
    }
    const {env, withheld} = buildChildEnv({...base, inherited: {PATH: '/usr/bin'}, secrets})
    expect(env).toEqual({PATH: '/usr/bin', OK_NAME: 'fine', PATHOLOGY: 'not reserved', MY_LD_THING: 'not reserved'})
    expect(withheld.map((w) => w.name)).toEqual([
      'PATH', 'path', 'Node_Options', 'LD_PRELOAD', 'dyld_insert_libraries', 'BASH_FUNC_foo', 'CORECLR_PROFILER_PATH', 'COR_PROFILER',
    ])
    expect(withheld.every((w) => w.reason === 'reserved')).toBe(true)
  })

  it('covers every exact reserved name of the contract', () => {
    for (const name of RESERVED_ENV_NAMES) {
      expect(isReservedEnvName(name)).toBe(true)
      expect(isReservedEnvName(name.toLowerCase())).toBe(true)
    }

    expect(RESERVED_ENV_NAMES).toHaveLength(36)
  })

  it('also reserves GLIBC_TUNABLES, NODE_EXTRA_CA_CERTS, ENV, BASH_ENV and GIT_SSH_COMMAND', () => {
    const secrets = {GLIBC_TUNABLES: 'a', node_extra_ca_certs: 'b', ENV: 'c', BASH_ENV: 'd', GIT_SSH_COMMAND: 'e', ENVIRONMENT: 'f'}
    const {env, withheld} = buildChildEnv({...base, inherited: {}, secrets})
    expect(env).toEqual({ENVIRONMENT: 'f'})
    expect(withheld.map((w) => w.reason)).toEqual(Array(5).fill('reserved'))
  })

  it('strips the inherited BELLA_BAXTER_PRIVATE_KEY unless passCredentials', () => {
    const inherited = {BELLA_BAXTER_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----', HOME: '/h'}
    expect(buildChildEnv({...base, inherited, secrets: {}}).env).toEqual({HOME: '/h'})
    expect(buildChildEnv({...base, passCredentials: true, inherited, secrets: {}}).env).toEqual(inherited)
  })

  it('lets reserved names through with allowReserved, or one by one with allowNames', () => {
    const secrets = {PATH: '/opt/bin', LD_LIBRARY_PATH: '/opt/lib'}
    expect(buildChildEnv({...base, allowReserved: true, inherited: {PATH: '/usr/bin'}, secrets})).toEqual({
      env: {PATH: '/opt/bin', LD_LIBRARY_PATH: '/opt/lib'},
      withheld: [],
    })
    const some = buildChildEnv({...base, inherited: {}, secrets, allowNames: ['ld_library_path']})
    expect(some.env).toEqual({LD_LIBRARY_PATH: '/opt/lib'})
    expect(some.withheld).toEqual([{name: 'PATH', reason: 'reserved'}])
  })

  it('withholds invalid names, even with allowReserved', () => {
    const secrets = {'my-key': 'a', '1ABC': 'b', 'A=B': 'c', '': 'd', 'ÜBER': 'e', 'a\nb': 'f', _ok: 'g', A1: 'h'}
    const {env, withheld} = buildChildEnv({...base, allowReserved: true, inherited: {}, secrets})
    expect(env).toEqual({_ok: 'g', A1: 'h'})
    expect(withheld).toEqual(
      ['my-key', '1ABC', 'A=B', '', 'ÜBER', 'a\nb'].map((name) => ({name, reason: 'invalid-name'})),
    )
  })
})

describe('buildChildEnv: values an environment cannot hold', () => {
  it('withholds a value with a NUL byte, whatever the flags, and names it', () => {
    const secrets = {DB_PASSWORD: 'hunter2-\u0000-rest', OK: 'fine'}
    const {env, withheld} = buildChildEnv({...base, allowReserved: true, inherited: {}, secrets})
    expect(env).toEqual({OK: 'fine'})
    expect(withheld).toEqual([{name: 'DB_PASSWORD', reason: 'nul-byte'}])
    const message = describeWithheld(withheld) as string
    expect(message).toContain('DB_PASSWORD')
    expect(message).toContain('NUL')
    expect(message).not.toContain('hunter2')
  })
})

describe('buildChildEnv: names are data', () => {
  it('keeps secrets and inherited variables named __proto__, constructor and toString as ordinary entries', () => {
    const secrets = Object.fromEntries([['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']])
    const inherited = Object.fromEntries([['__proto__', 'inherited'], ['HOME', '/h']])
    const {env, withheld} = buildChildEnv({...base, inherited, secrets})
    expect(withheld).toEqual([])
    expect(Object.entries(env)).toEqual([['__proto__', 'p'], ['HOME', '/h'], ['constructor', 'c'], ['toString', 't']])
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype)
  })
})

describe('buildChildEnv: sealed values', () => {
  it('withholds a value sealed at rest (bellabaxter:v1:/v2:), whatever the flags, and names it', () => {
    const secrets = {S1: 'bellabaxter:v1:c2VhbGVkLXZhbHVlLTE=', S2: 'bellabaxter:v2:c2VhbGVk', OK: 'bellabaxter is fine'}
    const {env, withheld} = buildChildEnv({...base, allowReserved: true, inherited: {}, secrets})
    expect(env).toEqual({OK: 'bellabaxter is fine'})
    expect(withheld).toEqual([{name: 'S1', reason: 'sealed'}, {name: 'S2', reason: 'sealed'}])
    const message = describeWithheld(withheld) as string
    expect(message).toContain('S1, S2')
    expect(message).toContain('sealed')
    expect(message).not.toContain('c2VhbGVk')
  })
})

describe('describeWithheld', () => {
  it('returns undefined when nothing was withheld', () => {
    expect(describeWithheld([])).toBeUndefined()
  })

  it('names the withheld secrets (quoting unsafe names), never values, and says what to do', () => {
    const {withheld} = buildChildEnv({
      ...base,
      inherited: {},
      secrets: {PATH: 'SECRET-VALUE-1', LD_PRELOAD: 'SECRET-VALUE-2', 'bad\u001b[31mname': 'SECRET-VALUE-3'},
    })
    const message = describeWithheld(withheld) as string
    expect(message).toContain('2 secrets withheld')
    expect(message).toContain('PATH, LD_PRELOAD')
    expect(message).toContain('--allow-reserved-env')
    expect(message).toContain('1 secret withheld')
    expect(message).toContain('"bad\\u001b[31mname"')
    expect(message).not.toContain('\u001b')
    expect(message).not.toContain('SECRET-VALUE')
    expect(describeWithheld(withheld, {allowFlag: '--allow-reserved'})).toContain('--allow-reserved ')
  })
})
