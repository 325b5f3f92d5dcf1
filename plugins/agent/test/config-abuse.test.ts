// Property-based abuse tests of the agent config validator: whatever the file holds (any YAML
// document, any text, a valid file with junk spliced in), it returns a config or throws a bella
// usage error whose every problem names file:line:col; it never crashes.
import {afterEach, describe, expect, it} from '@jest/globals'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import YAML from 'yaml'
import {createFileSink, isBellaError, type Registries} from '@bella/core'
import {controlIn} from '../../../test/helpers/abuse.js'
import {tempDirs} from '../../../packages/core/test/config/temp-dir.js'
import {loadAgentConfig, parseAgentConfig, type ConfigError} from '../src/index.js'
import {testRegistries} from './helpers.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const FILE = 'bella-agent.yaml'
const env = {HOME: '/home/u', POLL: '30', EMPTY: '', WEIRD: '\n:\x1b'}

/** The test doubles plus one sink with core's real file-sink option parsing (path, mode). */
function registries(): Registries {
  const r = testRegistries()
  r.sinks.register({name: 'file', description: 'core file sink', create: (options, context) => createFileSink({render: () => ''}, options, context)}, 'test')
  return r
}

const PROBLEM = new RegExp(`^${FILE.replace('.', '\\.')}:\\d+:\\d+: `)

async function check(text: string, load?: string): Promise<void> {
  let error: unknown
  try {
    const options = {path: load ?? `/srv/app/${FILE}`, label: FILE, env, registries: registries()}
    const config = load ? await loadAgentConfig(options) : await parseAgentConfig(text, options)
    expect(config.watches.length).toBeGreaterThan(0)
    expect(config.sinks.length).toBeGreaterThan(0)
    return
  } catch (caught) {
    error = caught
  }
  if (!isBellaError(error)) throw new Error(`not a bella error: ${String((error as Error)?.stack ?? error)}`)
  expect(error.kind).toBe('usage')
  const problems = (error as ConfigError).problems
  expect(Array.isArray(problems) && problems.length > 0).toBe(true)
  for (const problem of problems) {
    expect(problem).toMatch(PROBLEM)
    expect(controlIn(problem)).toBeUndefined()
  }
  expect(error.message).toContain(`${FILE}:`)
}

const KEYS = ['watches', 'sinks', 'process', 'project', 'environment', 'provider', 'poll-interval', 'type', 'path', 'mode', 'signal', 'pid-file', '<<', 'x']
const leaf = fc.oneof(
  fc.constantFrom('dotenv', 'json', 'file', 'sighup', 'none', 'restart', 'shop', './.env', '${POLL}', '${NOPE}', '${EMPTY:-x}', '${', '0640', '', ' '),
  fc.integer({min: -10, max: 100_000}),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({maxLength: 8}),
)
const node: fc.Arbitrary<unknown> = fc.letrec<{node: unknown}>((tie) => ({
  node: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    leaf,
    fc.array(tie('node'), {maxLength: 3}),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({maxLength: 4})), tie('node'), {maxKeys: 4}),
  ),
})).node

/** Schema-shaped documents: mostly the right keys, any values. */
const document = fc.dictionary(fc.constantFrom('watches', 'sinks', 'process', 'extra'), node, {maxKeys: 4})

const SYNTAX = [
  ':', ': ', '- ', ' ', '  ', '\n', '\n  ', '\t', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '!!binary ', '!foo ', '<<: *a', '"', "'", '#', '|', '>',
  '? ', '%YAML 1.1\n', '---\n', '...\n', 'watches:', 'sinks:', 'process:', 'type: file', 'path: x', 'mode: 0777', '${X}', '${', '\0', '\ufeff',
  '\r', '\x1b', 'project: a', 'environment: b', 'signal: sighup', 'pid-file: p', 'poll-interval: 1e9', '@', '`', '\u2028', '\ud800', 'é',
]
const text = fc.string({unit: fc.oneof(fc.constantFrom(...SYNTAX), fc.string({maxLength: 1, unit: 'binary'})), maxLength: 40})

const VALID = `watches:
  - project: shop
    environment: dev
    poll-interval: 30
sinks:
  - type: file
    path: ./.env
    mode: "0600"
process:
  signal: sighup
  pid-file: ./app.pid
`
const spliced = fc.tuple(fc.nat({max: VALID.length}), text, fc.nat({max: 10})).map(([at, junk, cut]) => VALID.slice(0, at) + junk + VALID.slice(at + cut))

describe('agent config: abuse', () => {
  it('any YAML document: a config or a usage error naming file:line:col, never a crash', async () => {
    await fc.assert(fc.asyncProperty(document, (doc) => check(YAML.stringify(doc))), {numRuns: 300})
  })

  it('any text: a config or a usage error naming file:line:col, never a crash', async () => {
    await fc.assert(fc.asyncProperty(text, (t) => check(t)), {numRuns: 300})
  })

  it('a valid file with junk spliced in: a config or a usage error naming file:line:col', async () => {
    await fc.assert(fc.asyncProperty(spliced, (t) => check(t)), {numRuns: 300})
  })

  it('loadAgentConfig on a real file behaves the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(spliced, text), async (t) => {
        const path = join(dirs.make('bella-abuse-agent-'), FILE)
        writeFileSync(path, t)
        await check(t, path)
      }),
      {numRuns: 40},
    )
  })

  // Found by the properties: problems quoted the file's text raw (a NUL, U+2028, ESC in a key or value).
  it('a problem quoting control characters from the file shows them escaped, on one line', async () => {
    for (const t of ['\u0000:', 'watches:\n  - project: a\n    environment: b\n    poll-interval: "${WEIRD}"\nsinks: [{type: json, path: x}]\n', '"k\\u2028\\u001b[2J": 1\n']) {
      const error = await parseAgentConfig(t, {path: `/srv/app/${FILE}`, label: FILE, env, registries: registries()}).catch((e: unknown) => e)
      expect((error as ConfigError).problems.length).toBeGreaterThan(0)
      for (const problem of (error as ConfigError).problems) expect(controlIn(problem)).toBeUndefined()
      expect((error as Error).message.split('\n').every((line) => controlIn(line) === undefined)).toBe(true)
    }
  })
})
