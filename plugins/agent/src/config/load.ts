/**
 * Reads and validates `bella-agent.yaml` before anything runs. The file is parsed with `yaml`
 * keeping every node's source range, so each problem is reported as `file:line:col: where: what
 * (allowed: …)`; all problems are collected (up to a limit) and reported together as one usage
 * error (exit 2). Nothing is fetched, written or signalled from an invalid file.
 *
 * Schema (hyphenated keys, as the official agent's file, contract §2.2):
 *
 *   watches:            non-empty list
 *     - project:        string, required
 *       environment:    string, required
 *       provider:       string, optional (one provider's secrets instead of the whole environment)
 *       poll-interval:  whole seconds, 5..86400, default 30
 *   sinks:              non-empty list
 *     - type:           a registered sink strategy (dotenv, json, yaml, or one a plugin adds)
 *       …               the sink's own options, checked by the sink itself (path, mode, …)
 *   process:            optional
 *     signal:           a registered signal strategy the agent can use (not `restart`)
 *     pid-file:         path; required unless the signal is inert (`none`)
 *
 * `${VAR}` expansion (see expand.ts) applies to scalar values only, never to keys or raw text.
 * Relative paths resolve against the config file's folder. `yaml` is imported lazily: only the
 * agent pays for it.
 */
import {readFile} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {
  escapeControls,
  isBellaError,
  quoteText,
  usageError,
  type BellaError,
  type Env,
  type Registries,
  type SignalDefinition,
  type SignalStrategy,
  type Sink,
} from '@bella/core'
import type {Document, LineCounter, Node as YamlNode, Pair, Scalar, YAMLMap} from 'yaml'
import {EXPANSION_FORMS, expandVariables} from './expand.js'

type YamlModule = typeof import('yaml')

export const DEFAULT_CONFIG_FILE = 'bella-agent.yaml'
export const DEFAULT_POLL_INTERVAL = 30
export const MIN_POLL_INTERVAL = 5
export const MAX_POLL_INTERVAL = 86_400
const MAX_PROBLEMS = 20

const TOP_KEYS = ['watches', 'sinks', 'process'] as const
const WATCH_KEYS = ['project', 'environment', 'provider', 'poll-interval'] as const
const PROCESS_KEYS = ['signal', 'pid-file'] as const
const WATCH_SHAPE = 'a list of {project, environment, provider?, poll-interval?}'
const POLL_ALLOWED = `a whole number of seconds from ${MIN_POLL_INTERVAL} to ${MAX_POLL_INTERVAL}`

export interface WatchConfig {
  project: string
  environment: string
  /** As written; resolved against the environment's providers when the agent starts. */
  provider?: string
  pollIntervalSeconds: number
  /** "shop/dev" or "shop/dev provider vault-dev": for messages. */
  label: string
  /** "file:line:col" of the entry (or of its provider value), for problems only the API reveals. */
  where: string
  providerWhere?: string
}

export interface SinkConfig {
  type: string
  sink: Sink
  where: string
}

export interface ProcessConfig {
  signal: string
  strategy: SignalStrategy
  /** True for a strategy that tells nobody (`none`). */
  inert: boolean
  /** Absolute path, when given. */
  pidFile?: string
  /** As written in the file, for messages. */
  pidFileLabel?: string
}

export interface AgentConfig {
  /** The path as the user gave it, for messages. */
  file: string
  /** Absolute path. */
  path: string
  baseDir: string
  watches: WatchConfig[]
  sinks: SinkConfig[]
  process?: ProcessConfig
}

export interface LoadConfigOptions {
  /** Absolute path of the config file. */
  path: string
  /** The path as the user wrote it (labels messages); defaults to `path`. */
  label?: string
  env: Env
  registries: Registries
}

export interface ConfigProblem {
  line: number
  col: number
  /** e.g. "watches[0].poll-interval"; empty for the document itself. */
  at: string
  message: string
  allowed?: string
}

/** The usage error for an invalid file; `problems` carries the details for JSON logs. */
export type ConfigError = BellaError & {problems: string[]}

/** One line, whatever the file holds: control characters it quotes (in keys, values, expansions) are escaped. */
export function formatProblem(file: string, p: ConfigProblem): string {
  return escapeControls(`${file}:${p.line}:${p.col}: ${p.at ? `${p.at}: ` : ''}${p.message}${p.allowed ? ` (allowed: ${p.allowed})` : ''}`)
}

export async function loadAgentConfig(options: LoadConfigOptions): Promise<AgentConfig> {
  const label = options.label ?? options.path
  let text: string
  try {
    text = await readFile(options.path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')
    throw usageError(`cannot read the agent config ${escapeControls(label)}: ${why}`, {
      code: 'agent_config_unreadable',
      suggestions:
        code === 'ENOENT'
          ? ['create a starter file with `bella agent --init`, or point -c/--config at yours']
          : ['check the path given to -c/--config and its permissions'],
    })
  }
  return parseAgentConfig(text, {...options, label})
}

/** Validates config text; `options.path` locates relative paths, `options.label` names the file. */
export async function parseAgentConfig(text: string, options: LoadConfigOptions): Promise<AgentConfig> {
  // `.default` is the CommonJS module itself, under Node and in the esbuild bundles alike.
  const YAML = (await import('yaml')).default
  const file = options.label ?? options.path
  const lineCounter = new YAML.LineCounter()
  const doc = YAML.parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const checker = new Checker(YAML, doc, lineCounter, text, file, options.env)
  if (doc.errors.length > 0) {
    for (const error of doc.errors.slice(0, MAX_PROBLEMS)) {
      const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0])
      checker.problems.push({...pos, at: '', message: `invalid YAML: ${firstLine(error.message)}`})
    }
    throw configError(file, checker.problems)
  }
  const baseDir = dirname(options.path)
  const config = checker.check(baseDir, options.registries)
  if (checker.problems.length > 0 || !config) throw configError(file, checker.problems)
  return {file, path: options.path, baseDir, ...config}
}

function configError(file: string, problems: ConfigProblem[]): ConfigError {
  const lines = problems.map((p) => formatProblem(file, p))
  const message =
    lines.length === 1 ? `invalid agent config: ${lines[0]}` : `invalid agent config ${escapeControls(file)} (${lines.length} problems):\n  ${lines.join('\n  ')}`
  const error = usageError(message, {
    code: 'invalid_agent_config',
    suggestions: ['fix the file and run again; `bella agent --init -c <new file>` writes a commented example'],
  }) as ConfigError
  error.problems = lines
  return error
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

type Fields<K extends string> = Partial<Record<K, {pair: Pair; key: YamlNode; value: YamlNode | null}>>

class Checker {
  readonly problems: ConfigProblem[] = []

  constructor(
    private readonly YAML: YamlModule,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly text: string,
    private readonly file: string,
    private readonly env: Env,
  ) {}

  check(baseDir: string, registries: Registries): Omit<AgentConfig, 'file' | 'path' | 'baseDir'> | undefined {
    const {YAML} = this
    const root = this.deref(this.doc.contents)
    if (!root || (YAML.isScalar(root) && (root.value === null || root.value === undefined))) {
      this.report(0, '', 'the file is empty; it needs a "watches:" list and a "sinks:" list', 'bella agent --init writes an example')
      return undefined
    }
    if (!YAML.isMap(root)) {
      this.report(root, '', `the top level must be a mapping, not ${this.kind(root)}`, TOP_KEYS.join(', '))
      return undefined
    }
    const top = this.fields(root, '', TOP_KEYS)
    if (!top.watches) this.report(root, '', 'missing required key "watches"', WATCH_SHAPE)
    if (!top.sinks) this.report(root, '', 'missing required key "sinks"', 'a list of {type, …sink options}')

    const watches = top.watches ? this.watches(top.watches.value, top.watches.key) : []
    const sinks = top.sinks ? this.sinks(top.sinks.value, top.sinks.key, baseDir, registries) : []
    const processConfig = top.process ? this.process(top.process.value, baseDir, registries) : undefined
    return {watches, sinks, ...(processConfig ? {process: processConfig} : {})}
  }

  // --- sections -------------------------------------------------------------------------------

  private watches(node: YamlNode | null, keyNode: YamlNode): WatchConfig[] {
    const list = this.list(node, keyNode, 'watches', WATCH_SHAPE)
    const result: WatchConfig[] = []
    const seen = new Map<string, string>()
    list.forEach((item, index) => {
      const at = `watches[${index}]`
      if (!this.YAML.isMap(item)) {
        this.report(item, at, `must be a mapping, not ${this.kind(item)}`, '{project, environment, provider?, poll-interval?}')
        return
      }
      const f = this.fields(item, at, WATCH_KEYS)
      const project = this.requiredString(f.project, item, at, 'project', 'a project slug or id')
      const environment = this.requiredString(f.environment, item, at, 'environment', 'an environment slug')
      const provider = f.provider ? this.string(f.provider.value, f.provider.key, `${at}.provider`, 'a provider slug') : undefined
      const interval = f['poll-interval']
        ? this.integer(f['poll-interval'].value, f['poll-interval'].key, `${at}.poll-interval`, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, POLL_ALLOWED)
        : DEFAULT_POLL_INTERVAL
      if (project === undefined || environment === undefined || interval === undefined) return
      if (f.provider && provider === undefined) return
      const identity = JSON.stringify([project, environment, provider?.toLowerCase() ?? null])
      const label = provider ? `${project}/${environment} provider ${provider}` : `${project}/${environment}`
      const earlier = seen.get(identity)
      if (earlier) {
        this.report(item, at, `watches ${label} a second time (already ${earlier})`, 'each project/environment/provider once')
        return
      }
      seen.set(identity, at)
      result.push({
        project,
        environment,
        ...(provider === undefined ? {} : {provider, providerWhere: this.where(f.provider!.value ?? f.provider!.key)}),
        pollIntervalSeconds: interval,
        label,
        where: this.where(item),
      })
    })
    return result
  }

  private sinks(node: YamlNode | null, keyNode: YamlNode, baseDir: string, registries: Registries): SinkConfig[] {
    const list = this.list(node, keyNode, 'sinks', 'a list of {type, …sink options}')
    const result: SinkConfig[] = []
    const targets = new Map<string, string>()
    list.forEach((item, index) => {
      const at = `sinks[${index}]`
      if (!this.YAML.isMap(item)) {
        this.report(item, at, `must be a mapping, not ${this.kind(item)}`, '{type, …sink options}')
        return
      }
      const f = this.fields(item, at)
      const available = registries.sinks.names().join(', ') || 'none installed'
      const type = this.requiredString(f.type, item, at, 'type', available)
      const options: Record<string, unknown> = {}
      let optionsOk = true
      for (const [name, field] of Object.entries(f)) {
        if (name === 'type' || !field) continue
        const value = this.plain(field.value, `${at}.${name}`)
        if (value === INVALID) optionsOk = false
        else Object.defineProperty(options, name, {value, enumerable: true, writable: true, configurable: true})
      }
      if (type === undefined) return
      const definition = registries.sinks.get(type)
      if (!definition) {
        this.report(f.type!.value ?? f.type!.key, `${at}.type`, `unknown sink type ${quoteText(type)}`, `${available}; a plugin can add more: bella plugins install <package>`)
        return
      }
      if (!optionsOk) return
      let sink: Sink
      try {
        sink = definition.create(options, {baseDir})
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        const named = Object.keys(f).find((name) => name !== 'type' && new RegExp(`(^|[^\\w-])${escapeRegExp(name)}($|[^\\w-])`).test(message))
        const field = named ? f[named] : undefined
        const suggestions = isBellaError(error) && error.suggestions.length > 0 ? error.suggestions.join('; ') : undefined
        this.report(field ? (field.value ?? field.key) : item, at, `the ${definition.name} sink refused its options: ${message}`, suggestions)
        return
      }
      const earlier = targets.get(sink.target)
      if (earlier) {
        this.report(item, at, `writes ${sink.target}, which ${earlier} already writes`, 'one sink per file')
        return
      }
      targets.set(sink.target, at)
      result.push({type: definition.name, sink, where: this.where(item)})
    })
    return result
  }

  private process(node: YamlNode | null, baseDir: string, registries: Registries): ProcessConfig | undefined {
    const value = this.deref(node)
    if (!value || (this.YAML.isScalar(value) && value.value === null)) return undefined
    if (!this.YAML.isMap(value)) {
      this.report(value, 'process', `must be a mapping, not ${this.kind(value)}`, '{signal, pid-file}')
      return undefined
    }
    const f = this.fields(value, 'process', PROCESS_KEYS)
    const usable = registries.signals.list().filter((s) => !registries.signals.get(s.name)?.requiresOwnedProcess).map((s) => s.name)
    const allowed = usable.join(', ') || 'none installed'
    const signal = this.requiredString(f.signal, value, 'process', 'signal', allowed)
    const pidFileLabel = f['pid-file'] ? this.string(f['pid-file'].value, f['pid-file'].key, 'process.pid-file', 'a path') : undefined
    if (signal === undefined) return undefined
    const definition: SignalDefinition | undefined = registries.signals.get(signal)
    const signalNode = f.signal!.value ?? f.signal!.key
    if (!definition) {
      this.report(signalNode, 'process.signal', `unknown signal type ${quoteText(signal)}`, allowed)
      return undefined
    }
    if (definition.requiresOwnedProcess) {
      this.report(
        signalNode,
        'process.signal',
        `signal "${definition.name}" needs a process bella started itself (bella run --watch); the agent signals the process named by pid-file`,
        allowed,
      )
      return undefined
    }
    if (f['pid-file'] && pidFileLabel === undefined) return undefined
    const inert = definition.inert === true
    if (!inert && pidFileLabel === undefined) {
      this.report(signalNode, 'process', `"pid-file" is required with signal "${definition.name}": it names the process to signal`, 'a path to a file holding the pid')
      return undefined
    }
    return {
      signal: definition.name,
      strategy: definition.create(),
      inert,
      ...(pidFileLabel === undefined ? {} : {pidFile: resolve(baseDir, pidFileLabel), pidFileLabel}),
    }
  }

  // --- value helpers --------------------------------------------------------------------------

  private list(node: YamlNode | null, keyNode: YamlNode, at: string, shape: string): YamlNode[] {
    const value = this.deref(node)
    if (!value || (this.YAML.isScalar(value) && value.value === null)) {
      this.report(keyNode, at, 'must not be empty: list at least one entry', shape)
      return []
    }
    if (!this.YAML.isSeq(value)) {
      this.report(value, at, `must be a list, not ${this.kind(value)}`, shape)
      return []
    }
    if (value.items.length === 0) {
      this.report(value, at, 'must not be empty: list at least one entry', shape)
      return []
    }
    return value.items.map((item) => this.deref(item as YamlNode) ?? (item as YamlNode))
  }

  /** The map's entries by key; keys not in `allowed` (when given) are reported. */
  private fields<K extends string>(map: YAMLMap, at: string, allowed?: readonly K[]): Fields<K> {
    const result: Fields<string> = {}
    for (const pair of map.items) {
      const key = pair.key as YamlNode
      const name = this.YAML.isScalar(key) ? key.value : undefined
      if (typeof name !== 'string') {
        this.report(key, at, `keys must be plain names, not ${this.kind(key)}`, allowed?.join(', '))
        continue
      }
      if (allowed && !(allowed as readonly string[]).includes(name)) {
        const hint = closest(name, allowed)
        this.report(key, at, `unknown key ${quoteText(name)}${hint ? ` (did you mean "${hint}"?)` : ''}`, allowed.join(', '))
        continue
      }
      result[name] = {pair, key, value: this.deref(pair.value as YamlNode | null)}
    }
    return result as Fields<K>
  }

  private requiredString(
    field: {key: YamlNode; value: YamlNode | null} | undefined,
    parent: YamlNode,
    at: string,
    name: string,
    allowed: string,
  ): string | undefined {
    if (!field) {
      this.report(parent, at, `missing required key "${name}"`, allowed)
      return undefined
    }
    return this.string(field.value, field.key, `${at}.${name}`, allowed)
  }

  /** A non-empty string value, expanded. */
  private string(node: YamlNode | null, keyNode: YamlNode, at: string, allowed: string): string | undefined {
    const {YAML} = this
    if (!node || (YAML.isScalar(node) && (node.value === null || node.value === undefined))) {
      this.report(keyNode, at, 'must not be empty', allowed)
      return undefined
    }
    if (!YAML.isScalar(node) || typeof node.value !== 'string') {
      const quote = YAML.isScalar(node) ? ` (quote it if you meant the text: ${quoteText(String(node.value))})` : ''
      this.report(node, at, `must be a string, not ${this.kind(node)}${quote}`, allowed)
      return undefined
    }
    const value = this.expand(node, at)
    if (value === undefined) return undefined
    if (value.trim() === '') {
      this.report(node, at, 'must not be empty', allowed)
      return undefined
    }
    return value
  }

  /** An integer within bounds: a YAML integer, or a string that expands to one ("${POLL:-30}"). */
  private integer(node: YamlNode | null, keyNode: YamlNode, at: string, min: number, max: number, allowed: string): number | undefined {
    const {YAML} = this
    if (!node || !YAML.isScalar(node) || node.value === null) {
      this.report(node ?? keyNode, at, node && !YAML.isScalar(node) ? `must be a number, not ${this.kind(node)}` : 'must not be empty', allowed)
      return undefined
    }
    let value: number
    if (typeof node.value === 'number') {
      value = node.value
    } else if (typeof node.value === 'string' && node.value.includes('${')) {
      const text = this.expand(node, at)
      if (text === undefined) return undefined
      if (!/^\s*-?\d+\s*$/.test(text)) {
        this.report(node, at, `must be a whole number, not ${quoteText(text)} (after expanding variables)`, allowed)
        return undefined
      }
      value = Number(text)
    } else {
      this.report(node, at, `must be a whole number, not ${this.kind(node)}`, allowed)
      return undefined
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      this.report(node, at, `${value} is out of range`, allowed)
      return undefined
    }
    return value
  }

  /** A sink option as plain data with strings expanded; INVALID after reporting a problem. */
  private plain(node: YamlNode | null, at: string): unknown {
    const {YAML} = this
    const value = this.deref(node)
    if (!value) return null
    if (YAML.isScalar(value)) {
      if (typeof value.value !== 'string') return value.value ?? null
      const expanded = this.expand(value, at)
      return expanded === undefined ? INVALID : expanded
    }
    if (YAML.isSeq(value)) {
      const items = value.items.map((item, i) => this.plain(item as YamlNode, `${at}[${i}]`))
      return items.includes(INVALID) ? INVALID : items
    }
    if (YAML.isMap(value)) {
      const entries: [string, unknown][] = []
      for (const pair of value.items) {
        const key = pair.key as YamlNode
        const name = YAML.isScalar(key) ? String(key.value) : undefined
        if (name === undefined) {
          this.report(key, at, `keys must be plain names, not ${this.kind(key)}`)
          return INVALID
        }
        entries.push([name, this.plain(pair.value as YamlNode | null, `${at}.${name}`)])
      }
      return entries.some(([, v]) => v === INVALID) ? INVALID : Object.fromEntries(entries)
    }
    this.report(value, at, `unsupported value (${this.kind(value)})`)
    return INVALID
  }

  private expand(node: Scalar, at: string): string | undefined {
    const result = expandVariables(node.value as string, this.env)
    if (result.ok) return result.value
    // Point at the reference itself when it appears verbatim in the source (plain/quoted one-liners).
    let offset = node.range?.[0] ?? 0
    if (node.range) {
      const source = this.text.slice(node.range[0], node.range[1])
      const index = source.indexOf(result.reference)
      if (index >= 0) offset += index
    }
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(result.reference)?.[1]
    const allowed = result.message.includes('is not set') ? `set ${name}, or give a default: \${${name}:-value}` : EXPANSION_FORMS
    this.report(offset, at, result.message, allowed)
    return undefined
  }

  // --- reporting ------------------------------------------------------------------------------

  private deref(node: YamlNode | null | undefined): YamlNode | null {
    if (node && this.YAML.isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null
    return node ?? null
  }

  private kind(node: YamlNode | null): string {
    const {YAML} = this
    if (!node) return 'nothing'
    if (YAML.isMap(node)) return 'a mapping'
    if (YAML.isSeq(node)) return 'a list'
    if (YAML.isScalar(node)) {
      const v = node.value
      if (v === null || v === undefined) return 'null'
      if (typeof v === 'number') return `a number (${v})`
      if (typeof v === 'boolean') return `a boolean (${v})`
      if (typeof v === 'string') return 'a string'
      return typeof v
    }
    return 'an unsupported value'
  }

  private offset(where: YamlNode | number): number {
    return typeof where === 'number' ? where : (where.range?.[0] ?? 0)
  }

  where(node: YamlNode | number): string {
    const pos = this.lines.linePos(this.offset(node))
    return `${this.file}:${pos.line}:${pos.col}`
  }

  report(where: YamlNode | number, at: string, message: string, allowed?: string): void {
    if (this.problems.length >= MAX_PROBLEMS) return
    const pos = this.lines.linePos(this.offset(where))
    this.problems.push({line: pos.line, col: pos.col, at, message, ...(allowed ? {allowed} : {})})
  }
}

const INVALID = Symbol('invalid')

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The allowed name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of allowed) {
    const d = distance(name.toLowerCase(), candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}
