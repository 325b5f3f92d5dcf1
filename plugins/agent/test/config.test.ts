import {describe, expect, it} from '@jest/globals'
import {isBellaError} from '@bella/core'
import {expandVariables, parseAgentConfig, STARTER_CONFIG, starterConfig, type ConfigError} from '../src/index.js'
import {testRegistries} from './helpers.js'

const base = '/srv/app/bella-agent.yaml'
const parse = (text: string, env: Record<string, string | undefined> = {}) =>
  parseAgentConfig(text, {path: base, label: 'bella-agent.yaml', env, registries: testRegistries()})

async function problems(text: string, env: Record<string, string | undefined> = {}): Promise<string[]> {
  try {
    await parse(text, env)
  } catch (error) {
    expect(isBellaError(error) && error.kind).toBe('usage')
    expect((error as ConfigError).message).toContain('bella-agent.yaml:')
    return (error as ConfigError).problems
  }
  throw new Error('expected the config to be rejected')
}

const valid = `watches:
  - project: shop
    environment: dev
  - project: shop
    environment: prod
    provider: vault-prod
    poll-interval: 60
sinks:
  - type: dotenv
    path: ./.env
  - type: json
    path: out/secrets.json
process:
  signal: sighup
  pid-file: ./app.pid
`

describe('agent config: valid files', () => {
  it('reads watches, sinks and process, with defaults and paths relative to the file', async () => {
    const config = await parse(valid)
    expect(config.watches.map((w) => [w.project, w.environment, w.provider, w.pollIntervalSeconds])).toEqual([
      ['shop', 'dev', undefined, 30],
      ['shop', 'prod', 'vault-prod', 60],
    ])
    expect(config.watches[0]!.where).toBe('bella-agent.yaml:2:5')
    expect(config.sinks.map((s) => [s.type, s.sink.target])).toEqual([
      ['dotenv', '/srv/app/.env'],
      ['json', '/srv/app/out/secrets.json'],
    ])
    expect(config.process).toMatchObject({signal: 'sighup', pidFile: '/srv/app/app.pid', pidFileLabel: './app.pid', inert: false})
  })

  it('process is optional, and signal none needs no pid-file', async () => {
    expect((await parse('watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\n')).process).toBeUndefined()
    expect((await parse('watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nprocess: {signal: none}\n')).process).toMatchObject({
      inert: true,
    })
  })

  it('sink and signal names are matched case-insensitively', async () => {
    const config = await parse('watches: [{project: a, environment: b}]\nsinks: [{type: DotEnv, path: x}]\nprocess: {signal: SIGHUP, pid-file: p}\n')
    expect(config.sinks[0]!.type).toBe('dotenv')
    expect(config.process!.signal).toBe('sighup')
  })

  it('expands ${VAR} and ${VAR:-default} inside values, never keys, and values cannot change the structure', async () => {
    const text = `watches:
  - project: \${PROJECT}
    environment: "\${ENV:-production}"
    poll-interval: \${POLL:-45}
sinks:
  - type: dotenv
    path: \${OUT}/.env
`
    const config = await parse(text, {PROJECT: 'shop\nsinks: []', OUT: '/var/run/app', ENV: ''})
    expect(config.watches[0]).toMatchObject({project: 'shop\nsinks: []', environment: 'production', pollIntervalSeconds: 45})
    expect(config.sinks[0]!.sink.target).toBe('/var/run/app/.env')
  })

  it('the starter written by --init is itself valid', async () => {
    const config = await parse(STARTER_CONFIG)
    expect(config.watches[0]).toMatchObject({project: 'my-project', environment: 'production', pollIntervalSeconds: 30})
    expect(config.process).toMatchObject({signal: 'sighup', pidFileLabel: './app.pid'})
  })

  it('the starter watches the resolved context when one is known, saying where it came from; else the placeholder', async () => {
    const text = starterConfig({project: 'demo', environment: 'dev', origin: 'GET /api/v1/keys/me'})
    expect(text).toContain('  - project: demo  # from GET /api/v1/keys/me\n    environment: dev\n')
    expect((await parse(text)).watches[0]).toMatchObject({project: 'demo', environment: 'dev', pollIntervalSeconds: 30})
    expect(starterConfig()).toBe(STARTER_CONFIG)
    expect(STARTER_CONFIG).toContain('project: my-project         # placeholder')
    // A value that YAML would read differently is not written; the placeholder stays.
    expect(starterConfig({project: 'a: b', environment: 'dev', origin: 'x'})).toBe(STARTER_CONFIG)
  })
})

describe('agent config: every problem is named with file:line:col and what is allowed', () => {
  const table: [string, string, RegExp][] = [
    ['unknown top-level key', 'watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nwatchs: 1\n', /^bella-agent\.yaml:3:1: unknown key "watchs" \(did you mean "watches"\?\) \(allowed: watches, sinks, process\)$/],
    ['unknown watch key', 'watches:\n  - project: a\n    environment: b\n    interval: 5\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:4:5: watches\[0\]: unknown key "interval" \(allowed: project, environment, provider, poll-interval\)$/],
    ['wrong type', 'watches:\n  - project: [a]\n    environment: b\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:2:14: watches\[0\]\.project: must be a string, not a list \(allowed: a project slug or id\)$/],
    ['a number where a string goes', 'watches:\n  - project: 2024\n    environment: b\nsinks: [{type: dotenv, path: x}]\n', /:2:14: watches\[0\]\.project: must be a string, not a number \(2024\) \(quote it/],
    ['watches not a list', 'watches:\n  project: a\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:2:3: watches: must be a list, not a mapping/],
    ['unknown sink type', 'watches: [{project: a, environment: b}]\nsinks:\n  - type: vault\n    path: x\n', /^bella-agent\.yaml:3:11: sinks\[0\]\.type: unknown sink type "vault" \(allowed: dotenv, json; a plugin can add more/],
    ['unknown signal', 'watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nprocess:\n  signal: sigusr1\n  pid-file: p\n', /^bella-agent\.yaml:4:11: process\.signal: unknown signal type "sigusr1" \(allowed: none, sighup, sigterm\)$/],
    ['restart signal', 'watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nprocess:\n  signal: restart\n  pid-file: p\n', /^bella-agent\.yaml:4:11: process\.signal: signal "restart" needs a process bella started itself .* \(allowed: none, sighup, sigterm\)$/],
    ['pid-file missing for a real signal', 'watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nprocess:\n  signal: sighup\n', /:4:11: process: "pid-file" is required with signal "sighup"/],
    ['empty watches', 'watches: []\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:1:10: watches: must not be empty: list at least one entry \(allowed: a list of/],
    ['watches with no value', 'watches:\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:1:1: watches: must not be empty/],
    ['empty sinks', 'watches: [{project: a, environment: b}]\nsinks: []\n', /^bella-agent\.yaml:2:8: sinks: must not be empty/],
    ['missing sinks', 'watches: [{project: a, environment: b}]\n', /^bella-agent\.yaml:1:1: missing required key "sinks"/],
    ['poll-interval too small', 'watches:\n  - project: a\n    environment: b\n    poll-interval: 2\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:4:20: watches\[0\]\.poll-interval: 2 is out of range \(allowed: a whole number of seconds from 5 to 86400\)$/],
    ['poll-interval not a number', 'watches:\n  - project: a\n    environment: b\n    poll-interval: thirty\nsinks: [{type: dotenv, path: x}]\n', /:4:20: watches\[0\]\.poll-interval: must be a whole number, not a string/],
    ['poll-interval fractional', 'watches:\n  - project: a\n    environment: b\n    poll-interval: 7.5\nsinks: [{type: dotenv, path: x}]\n', /:4:20: .*7\.5 is out of range/],
    ['missing variable', 'watches:\n  - project: app-${TEAM}\n    environment: b\nsinks: [{type: dotenv, path: x}]\n', /^bella-agent\.yaml:2:18: watches\[0\]\.project: environment variable TEAM is not set \(allowed: set TEAM, or give a default: \$\{TEAM:-value\}\)$/],
    ['bad variable syntax', 'watches:\n  - project: ${1X}\n    environment: b\nsinks: [{type: dotenv, path: x}]\n', /:2:14: watches\[0\]\.project: invalid variable reference "\$\{1X\}"/],
    ['sink option refused by the sink', 'watches: [{project: a, environment: b}]\nsinks:\n  - type: dotenv\n    file: x\n', /^bella-agent\.yaml:4:11: sinks\[0\]: the dotenv sink refused its options: unknown option "file"/],
    ['two sinks on one file', 'watches: [{project: a, environment: b}]\nsinks:\n  - {type: dotenv, path: ./x}\n  - {type: json, path: x}\n', /:4:5: sinks\[1\]: writes \/srv\/app\/x, which sinks\[0\] already writes/],
    ['the same watch twice', 'watches:\n  - {project: a, environment: b}\n  - {project: a, environment: b}\nsinks: [{type: dotenv, path: x}]\n', /:3:5: watches\[1\]: watches a\/b a second time/],
    ['YAML syntax', 'watches: [\nsinks: x\n', /^bella-agent\.yaml:\d+:\d+: invalid YAML/],
    ['duplicate key', 'watches: [{project: a, environment: b}]\nsinks: [{type: dotenv, path: x}]\nsinks: [{type: dotenv, path: y}]\n', /^bella-agent\.yaml:3:1: invalid YAML: Map keys must be unique/],
    ['empty file', '# nothing yet\n', /^bella-agent\.yaml:1:1: the file is empty/],
    ['not a mapping', '- a\n- b\n', /^bella-agent\.yaml:1:1: the top level must be a mapping, not a list/],
  ]
  it.each(table)('%s', async (_name, text, expected) => {
    const found = await problems(text)
    expect(found.length).toBeGreaterThan(0)
    expect(found[0]).toMatch(expected)
  })

  it('reports every problem at once', async () => {
    const found = await problems('watches:\n  - project: a\n    poll-interval: 1\nsinks:\n  - type: nope\nextra: 1\n')
    expect(found).toEqual([
      expect.stringMatching(/:6:1: unknown key "extra"/),
      expect.stringMatching(/:2:5: watches\[0\]: missing required key "environment"/),
      expect.stringMatching(/:3:20: watches\[0\]\.poll-interval: 1 is out of range/),
      expect.stringMatching(/:5:11: sinks\[0\]\.type: unknown sink type "nope"/),
    ])
  })
})

describe('${VAR} expansion', () => {
  it.each([
    ['plain', 'a-${X}-b', {X: '1'}, 'a-1-b'],
    ['default when unset', '${X:-d}', {}, 'd'],
    ['default when empty', '${X:-d}', {X: ''}, 'd'],
    ['dash default only when unset', '${X-d}', {X: ''}, ''],
    ['$$ is a literal $', 'p$$w${X}', {X: '!'}, 'p$w!'],
    ['a lone $ stays', 'cost: $5', {}, 'cost: $5'],
    ['no recursion', '${X}', {X: '${Y}'}, '${Y}'],
  ])('%s', (_name, input, env, expected) => {
    expect(expandVariables(input, env)).toMatchObject({ok: true, value: expected})
  })

  it('a missing variable without a default is an error', () => {
    expect(expandVariables('x${MISSING}', {})).toMatchObject({ok: false, index: 1, message: 'environment variable MISSING is not set'})
    expect(expandVariables('${UNCLOSED', {})).toMatchObject({ok: false, index: 0})
  })
})
