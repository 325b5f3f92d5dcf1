/**
 * Contract checks any sink or signal plugin runs against itself. Framework-agnostic (node:assert)
 * so core does not depend on a test runner; a plugin's test maps each check to a test case:
 *
 *   for (const check of signalContractChecks(registerSignals)) it(check.name, check.run)
 *
 * Served from `@bella/core/testing`, off every command's start-up path.
 */
import assert from 'node:assert/strict'
import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isBellaError} from '../errors.js'
import {createRegistries, type StrategyRegistrar} from '../strategies/registry.js'
import type {SignalTarget} from '../strategies/types.js'

export interface ContractCheck {
  name: string
  run(): Promise<void>
}

const NAME = /^[a-z][a-z0-9-]*$/

/**
 * bella reports any error a sink's create() throws as a usage error at the option's position, so a
 * plugin without dependencies may throw a plain Error; a BellaError must be a usage one.
 */
const isUsageLike = (error: unknown): boolean => error instanceof Error && (!isBellaError(error) || error.kind === 'usage')

function registered(register: StrategyRegistrar) {
  const registries = createRegistries()
  register(registries)
  return registries
}

function assertRefusesDuplicates(register: StrategyRegistrar): void {
  const registries = createRegistries()
  register(registries)
  assert.throws(() => register(registries), (error: unknown) => isBellaError(error) && error.code === 'strategy_conflict')
}

interface RecordingTarget extends SignalTarget {
  signals: NodeJS.Signals[]
  restarts: number
}

function recordingTarget(options: {alive: boolean; restartable: boolean}): RecordingTarget {
  const target: RecordingTarget = {
    description: 'contract-test target',
    signals: [],
    restarts: 0,
    async kill(signal) {
      target.signals.push(signal)
      return options.alive
    },
  }
  if (options.restartable) target.restart = async () => void target.restarts++
  return target
}

export function signalContractChecks(register: StrategyRegistrar): ContractCheck[] {
  const definitions = () => registered(register).signals
  return [
    {
      name: 'registers at least one signal strategy with a lower-case name and a description',
      async run() {
        const list = definitions().list()
        assert.ok(list.length > 0, 'no signal strategy registered')
        for (const entry of list) {
          assert.match(entry.name, NAME)
          assert.ok(entry.description.trim().length > 0, `${entry.name} has no description`)
        }
      },
    },
    {
      name: 'registers through the registry, so a name claimed twice is refused',
      run: async () => assertRefusesDuplicates(register),
    },
    {
      name: 'notify acts on a running target it owns (a signal or a restart), unless declared inert',
      async run() {
        for (const name of definitions().names()) {
          const target = recordingTarget({alive: true, restartable: true})
          const definition = definitions().require(name, 'contract')
          await definition.create().notify(target)
          const acted = target.signals.length + target.restarts > 0
          assert.equal(acted, !definition.inert, definition.inert ? `${name} is inert but acted` : `${name} did nothing to the target`)
        }
      },
    },
    {
      name: 'a strategy needing an owned process refuses a pid-file target with a usage error; others signal it',
      async run() {
        for (const name of definitions().names()) {
          const definition = definitions().require(name, 'contract')
          const target = recordingTarget({alive: true, restartable: false})
          if (definition.requiresOwnedProcess) {
            await assert.rejects(definition.create().notify(target), (error: unknown) => isBellaError(error) && error.kind === 'usage')
          } else {
            await definition.create().notify(target)
            assert.equal(target.restarts, 0)
          }
        }
      },
    },
    {
      name: 'notify tolerates a target process that has gone away',
      async run() {
        for (const name of definitions().names()) {
          const definition = definitions().require(name, 'contract')
          const target = recordingTarget({alive: false, restartable: Boolean(definition.requiresOwnedProcess)})
          await definition.create().notify(target)
        }
      },
    },
  ]
}

/** Values that break naive writers: newlines, both quotes, `#`, `$`, backslashes, `=`, unicode, empty, injection. */
export const trickySecrets: Readonly<Record<string, string>> = {
  PLAIN: 'value',
  EMPTY: '',
  MULTILINE: 'line one\nline two\n',
  CRLF: 'a\r\nb',
  DOUBLE_QUOTES: 'say "hi"',
  SINGLE_QUOTES: "it's",
  BOTH_QUOTES: `'"mixed"'`,
  HASH: 'abc # not a comment',
  DOLLAR: '$HOME and ${PATH} and $(whoami)',
  BACKSLASHES: 'C:\\path\\n\\t',
  EQUALS: 'a=b=c',
  UNICODE: 'héllo wörld ✓ 🚀',
  INJECTION: 'x\nINJECTED=1\n# comment',
  LEADING_SPACE: '  padded  ',
  BACKTICKS: '`cmd`',
}

export interface SinkContractOptions {
  /** File name the sink writes inside the temp folder. */
  fileName?: string
}

export function sinkContractChecks(register: StrategyRegistrar, options: SinkContractOptions = {}): ContractCheck[] {
  const definitions = () => registered(register).sinks
  const fileName = options.fileName ?? 'secrets.out'
  const each = async (fn: (name: string, dir: string, path: string) => Promise<void>) => {
    for (const name of definitions().names()) {
      const dir = await mkdtemp(join(tmpdir(), `bella-sink-${name}-`))
      try {
        await fn(name, dir, join(dir, fileName))
      } finally {
        // The sink wrote secrets there (test values, but a check must leave nothing behind).
        await rm(dir, {recursive: true, force: true})
      }
    }
  }
  return [
    {
      name: 'registers at least one sink with a lower-case name and a description',
      async run() {
        const list = definitions().list()
        assert.ok(list.length > 0, 'no sink registered')
        for (const entry of list) {
          assert.match(entry.name, NAME)
          assert.ok(entry.description.trim().length > 0)
        }
      },
    },
    {
      name: 'registers through the registry, so a name claimed twice is refused',
      run: async () => assertRefusesDuplicates(register),
    },
    {
      name: 'rejects options without a path with an error (a usage error, when it is a BellaError)',
      async run() {
        for (const name of definitions().names()) {
          assert.throws(
            () => definitions().require(name, 'contract').create({}, {baseDir: tmpdir()}),
            isUsageLike,
          )
        }
      },
    },
    {
      name: 'writes a private file (0600) that reads back to exactly the secrets',
      async run() {
        await each(async (name, dir, path) => {
          const definition = definitions().require(name, 'contract')
          const sink = definition.create({path: fileName}, {baseDir: dir})
          assert.equal(await sink.write(trickySecrets), 'written')
          assert.equal((await stat(path)).mode & 0o777, 0o600, `${name} file mode`)
          if (definition.parse) assert.deepEqual(await definition.parse(await readFile(path, 'utf8')), {...trickySecrets})
        })
      },
    },
    {
      name: 'writes to a path relative to the base folder, creating missing folders 0700',
      async run() {
        await each(async (name, dir) => {
          const sink = definitions().require(name, 'contract').create({path: `nested/dir/${fileName}`}, {baseDir: dir})
          assert.equal(sink.target, join(dir, 'nested', 'dir', fileName))
          assert.equal(await sink.write({A: '1'}), 'written')
          assert.equal((await stat(join(dir, 'nested'))).mode & 0o777, 0o700, `${name} folder mode`)
        })
      },
    },
    {
      name: 'honours a mode option given as an octal string or a number',
      async run() {
        await each(async (name, dir) => {
          const definition = definitions().require(name, 'contract')
          const a = definition.create({path: `a-${fileName}`, mode: '0640'}, {baseDir: dir})
          const b = definition.create({path: `b-${fileName}`, mode: 0o644}, {baseDir: dir})
          await a.write({A: '1'})
          await b.write({A: '1'})
          assert.equal((await stat(a.target)).mode & 0o777, 0o640, `${name} mode "0640"`)
          assert.equal((await stat(b.target)).mode & 0o777, 0o644, `${name} mode 0o644`)
        })
      },
    },
    {
      name: 'writes an empty set as a file that reads back empty',
      async run() {
        await each(async (name, dir, path) => {
          const definition = definitions().require(name, 'contract')
          await definition.create({path: fileName}, {baseDir: dir}).write({})
          if (definition.parse) assert.deepEqual({...(await definition.parse(await readFile(path, 'utf8')))}, {})
        })
      },
    },
    {
      name: 'refuses an unknown option with an error naming it (a usage error, when it is a BellaError)',
      async run() {
        for (const name of definitions().names()) {
          assert.throws(
            () => definitions().require(name, 'contract').create({path: fileName, perms: '0600'}, {baseDir: tmpdir()}),
            (error: unknown) => isUsageLike(error) && (error as Error).message.includes('"perms"'),
          )
        }
      },
    },
    {
      name: 'skips the write when the bytes would not change, and leaves no temp files',
      async run() {
        await each(async (name, dir, path) => {
          const sink = definitions().require(name, 'contract').create({path: fileName}, {baseDir: dir})
          await sink.write(trickySecrets)
          const before = await stat(path)
          assert.equal(await sink.write({...trickySecrets}), 'unchanged')
          const after = await stat(path)
          assert.equal(after.ino, before.ino)
          assert.equal(after.mtimeMs, before.mtimeMs)
          assert.equal(await sink.write({...trickySecrets, ADDED: '1'}), 'written')
          assert.deepEqual([...(await readdir(dir))], [fileName])
        })
      },
    },
  ]
}
