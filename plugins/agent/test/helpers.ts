// Test doubles: in-memory sinks and recording signals registered the way plugins register theirs.
import {resolve} from 'node:path'
import {createRegistries, usageError, type Registries, type Secrets, type SignalDefinition, type SinkDefinition} from '@bella/core'

export interface MemorySinkStore {
  /** target → last written content (the merged map, serialised). */
  files: Map<string, Record<string, string>>
  writes: string[]
  /** Targets whose next writes throw. */
  failing: Set<string>
  /** Targets whose next writes throw an error quoting the secrets, as a careless library might. */
  echoing: Set<string>
}

export function memorySinkStore(): MemorySinkStore {
  return {files: new Map(), writes: [], failing: new Set(), echoing: new Set()}
}

/** A sink like the real ones: options {path, mode?}; path relative to baseDir; skips identical content. */
export function memorySink(name: string, store: MemorySinkStore): SinkDefinition {
  return {
    name,
    description: `in-memory ${name} sink for tests`,
    create(options, context) {
      const unknown = Object.keys(options).filter((k) => k !== 'path' && k !== 'mode')
      if (unknown.length > 0) throw usageError(`unknown option "${unknown[0]}" (allowed: path, mode)`)
      if (typeof options.path !== 'string' || options.path === '') throw usageError('option "path" is required: the file to write')
      const target = resolve(context.baseDir, options.path)
      return {
        target,
        async write(secrets: Secrets) {
          if (store.failing.has(target)) throw new Error(`EACCES: permission denied, open '${target}'`)
          if (store.echoing.has(target)) throw new TypeError(`cannot serialise ${JSON.stringify(secrets)}`)
          const before = store.files.get(target)
          const same = before !== undefined && JSON.stringify(before) === JSON.stringify(secrets)
          if (same) return 'unchanged'
          store.files.set(target, {...secrets})
          store.writes.push(target)
          return 'written'
        },
      }
    },
  }
}

export interface SignalLog {
  notified: string[]
}

function signal(name: string, log: SignalLog, extra: Partial<SignalDefinition> = {}): SignalDefinition {
  return {
    name,
    description: `${name} for tests`,
    ...extra,
    create: () => ({
      async notify(target) {
        log.notified.push(`${name} ${target.description}`)
        if (name === 'sighup') await target.kill('SIGHUP')
        if (name === 'sigterm') await target.kill('SIGTERM')
      },
    }),
  }
}

export function testRegistries(store: MemorySinkStore = memorySinkStore(), log: SignalLog = {notified: []}): Registries {
  const registries = createRegistries()
  registries.sinks.register(memorySink('dotenv', store), 'test')
  registries.sinks.register(memorySink('json', store), 'test')
  registries.signals.register(signal('sighup', log), 'test')
  registries.signals.register(signal('sigterm', log), 'test')
  registries.signals.register(signal('none', log, {inert: true}), 'test')
  registries.signals.register(signal('restart', log, {requiresOwnedProcess: true}), 'test')
  return registries
}
