import {describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {defaultSeed, derivedUuid, loadSeedFile, parseSeedYaml, resolveSeed, startEmulator} from '../src/index.js'
import {pluginRoot} from './helpers/contract.js'
import {send} from './helpers/signed-request.js'

const fixture = (name: string) => join(pluginRoot, 'test', 'fixtures', name)

describe('resolveSeed', () => {
  it('resolves the built-in default seed: demo/dev, one provider, one generated key', () => {
    const seed = resolveSeed(defaultSeed())
    expect(seed.projects.map((p) => p.slug)).toEqual(['demo'])
    const env = seed.projects[0]!.environments[0]!
    expect(env.slug).toBe('dev')
    expect(env.providers).toHaveLength(1)
    expect(env.providers[0]!.secrets.length).toBeGreaterThanOrEqual(4)
    expect(seed.keys).toHaveLength(1)
    expect(seed.keys[0]).toMatchObject({projectId: seed.projects[0]!.id, environmentId: env.id, role: 'ADMIN', revoked: false})
    expect(seed.keys[0]!.id).toMatch(/^[0-9a-f]{32}$/)
    expect(seed.keys[0]!.secretHex).toMatch(/^[0-9a-f]{64}$/)
  })

  it('derives stable ids from slugs and generates a fresh key secret per start', () => {
    const a = resolveSeed(defaultSeed())
    const b = resolveSeed(defaultSeed())
    expect(a.projects[0]!.id).toBe(b.projects[0]!.id)
    expect(a.projects[0]!.id).toBe(derivedUuid('project:demo'))
    expect(a.keys[0]!.secretHex).not.toBe(b.keys[0]!.secretHex)
  })

  it('accepts a pinned key as a whole or as id + secret', () => {
    const projects = [{slug: 'p', environments: [{slug: 'e'}]}]
    const whole = resolveSeed({keys: [{key: 'bax-abc123-00ff', project: 'p'}], projects})
    expect(whole.keys[0]).toMatchObject({id: 'abc123', secretHex: '00ff', environmentId: null})
    const parts = resolveSeed({keys: [{id: 'abc123', secret: '00FF', project: 'p', environment: 'e'}], projects})
    expect(parts.keys[0]).toMatchObject({id: 'abc123', secretHex: '00ff'})
  })

  it.each([
    [{projects: []}, /at least one entry under "projects"/],
    [{projects: [{slug: 'a'}, {slug: 'a'}]}, /duplicate project slug "a"/],
    [{projects: [{slug: 'a', environments: [{slug: 'e'}, {slug: 'e'}]}]}, /duplicate environment slug in project "a"/],
    [{projects: [{slug: 'a', environments: [{slug: 'e', providers: [{slug: 'v'}, {slug: 'v'}]}]}]}, /duplicate provider slug in environment "a\/e"/],
    [{projects: [{slug: 'a', id: 'not-a-uuid'}]}, /must be a UUID/],
    [{projects: [{slug: 'a/b'}]}, /must not contain "\/"/],
    [{projects: [{name: 'no slug'}]}, /needs "slug"/],
    [{projects: [{slug: 'a', environments: [{slug: 'e', providers: [{slug: 'v', secrets: {N: 5}}]}]}]}, /must be a string or a mapping/],
    [{keys: [{project: 'nope'}], projects: [{slug: 'a'}]}, /names project "nope"/],
    [{keys: [{project: 'a', environment: 'x'}], projects: [{slug: 'a'}]}, /names environment "x"/],
    [{keys: [{key: 'bax-a-b-c', project: 'a'}], projects: [{slug: 'a'}]}, /bax-<id>-<hex secret>/],
    [{keys: [{id: 'a', secret: 'xyz', project: 'a'}], projects: [{slug: 'a'}]}, /even number of hex digits/],
    [{keys: [{project: 'a', expires: 'soon'}], projects: [{slug: 'a'}]}, /ISO-8601/],
    [{projects: [{slug: 'a', colour: 'red'}]}, /unknown key "colour"/],
  ])('rejects %j', (seed, message) => {
    expect(() => resolveSeed(seed)).toThrow(message)
  })
})

describe('seed YAML files', () => {
  it('loads the documented example, seed.example.yaml', async () => {
    const seed = resolveSeed(await loadSeedFile(join(pluginRoot, 'seed.example.yaml')))
    expect(seed.projects.map((p) => p.slug)).toEqual(['shop', 'billing'])
    expect(seed.keys[0]!.id).toBe('0123456789abcdef0123456789abcdef')
    expect(seed.keys.map((k) => k.revoked)).toEqual([false, false, true, false])
    const vault = seed.projects[0]!.environments[0]!.providers[0]!
    expect(vault.secrets.find((s) => s.key === 'PORT')!.value).toBe('8080')
    expect(vault.secrets.find((s) => s.key === 'MULTILINE_PEM')!.value).toBe('-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n-----END CERTIFICATE-----\n')
  })

  it('keeps unquoted secret values exactly as written', async () => {
    const seed = resolveSeed(
      await parseSeedYaml(`projects:
  - slug: p
    environments:
      - slug: e
        providers:
          - slug: v
            secrets:
              VERSION: 1.10
              OCTAL: 0755
              FLAG: yes
              ON: true
              EMPTY:
              TILDE: ~
              LONG:
                value: 3.0
`),
    )
    const values = Object.fromEntries(seed.projects[0]!.environments[0]!.providers[0]!.secrets.map((s) => [s.key, s.value]))
    expect(values).toEqual({VERSION: '1.10', OCTAL: '0755', FLAG: 'yes', ON: 'true', EMPTY: '', TILDE: '~', LONG: '3.0'})
  })

  it('names file:line:col of an unknown key', async () => {
    const file = fixture('unknown-key.yaml')
    await expect(loadSeedFile(file)).rejects.toThrow(`${file}:5:9: unknown key "provders"`)
    await expect(loadSeedFile(file)).rejects.toMatchObject({kind: 'usage', code: 'invalid_seed', exitCode: 2})
  })

  it.each([
    ['a bad value', 'projects:\n  - slug: a\n    id: nope\n', 'seed.yaml:3:9: projects[0].id must be a UUID'],
    ['a missing key', 'projects:\n  - name: x\n', 'seed.yaml:2:5: projects[0] needs "slug"'],
    ['a reference to an unknown project', 'keys:\n  - project: nope\nprojects:\n  - slug: a\n', 'seed.yaml:2:14: keys[0] names project "nope"'],
    ['a YAML syntax error', 'projects:\n  - slug: [a\n', 'seed.yaml:3:1: invalid YAML'],
    ['a duplicate key', 'projects: []\nprojects: []\n', 'seed.yaml:2:1: invalid YAML: Map keys must be unique'],
    ['an empty file', '', 'seed.yaml:1:1: the seed is empty'],
    ['a list at the top', '- a\n', 'seed.yaml:1:1: (top level) must be a mapping'],
  ])('names file:line:col for %s', async (_why, text, message) => {
    await expect(parseSeedYaml(text, 'seed.yaml')).rejects.toThrow(message)
  })

  it('says clearly when the file cannot be read', async () => {
    await expect(loadSeedFile(fixture('missing.yaml'))).rejects.toThrow(/cannot read seed file .*missing\.yaml: no such file/)
  })

  it('serves a loaded seed with its pinned key', async () => {
    const emulator = await startEmulator({port: 0, seed: await loadSeedFile(fixture('valid.yaml'))})
    try {
      expect(emulator.apiKey).toBe('bax-0123456789abcdef0123456789abcdef-37aaf045e1c8d9204f0b58a0e241e120af70f7806c10d944072d6136544c17f4')
      const res = await send(emulator, {path: '/api/v1/projects/demo/environments/dev/secrets'})
      expect(res.json().secrets).toEqual({GREETING: 'hello'})
    } finally {
      await emulator.close()
    }
  })

  it('refuses an invalid seed object passed to startEmulator as a usage error', async () => {
    await expect(startEmulator({port: 0, seed: {projects: []}})).rejects.toMatchObject({kind: 'usage', code: 'invalid_seed'})
  })
})
