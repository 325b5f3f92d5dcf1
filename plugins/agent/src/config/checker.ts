/**
 * The agent config's schema, checked node by node (see load.ts for the schema itself): every
 * problem is collected with its position, and sinks and signals are looked up in the registries
 * and asked to validate their own options.
 */
import {resolve} from 'node:path'
import {isBellaError, quoteText, type Registries, type SignalDefinition, type Sink} from '@bella/core'
import type {Node as YamlNode} from 'yaml'
import {DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL, MIN_POLL_INTERVAL, type AgentConfig, type ProcessConfig, type SinkConfig, type WatchConfig} from './types.js'
import {escapeRegExp, INVALID, YamlReader} from './yaml-reader.js'

const TOP_KEYS = ['watches', 'sinks', 'process'] as const
const WATCH_KEYS = ['project', 'environment', 'provider', 'poll-interval'] as const
const PROCESS_KEYS = ['signal', 'pid-file'] as const
const WATCH_SHAPE = 'a list of {project, environment, provider?, poll-interval?}'
const POLL_ALLOWED = `a whole number of seconds from ${MIN_POLL_INTERVAL} to ${MAX_POLL_INTERVAL}`

export class Checker extends YamlReader {
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
}
