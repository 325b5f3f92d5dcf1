import {generalError, usageError} from '../errors.js'
import type {SignalDefinition, SinkDefinition} from './types.js'

export type StrategyKind = 'sink' | 'signal'

interface Entry<T> {
  definition: T
  owner: string
}

export class StrategyRegistry<T extends {readonly name: string; readonly description: string}> {
  private readonly entries = new Map<string, Entry<T>>()

  constructor(readonly kind: StrategyKind) {}

  /** Adds a strategy; a name claimed twice is an error naming both claimants. */
  register(definition: T, owner: string): void {
    const name = definition.name.toLowerCase()
    const existing = this.entries.get(name)
    if (existing) {
      throw generalError(
        `${this.kind} strategy "${name}" is provided by both ${existing.owner} and ${owner}`,
        {
          code: 'strategy_conflict',
          suggestions: [`uninstall one of them (bella plugins uninstall <name>)`],
        },
      )
    }
    this.entries.set(name, {definition, owner})
  }

  get(name: string): T | undefined {
    return this.entries.get(name.toLowerCase())?.definition
  }

  /** The named strategy, or a usage error listing what is available. */
  require(name: string, where: string): T {
    const found = this.get(name)
    if (found) return found
    const available = this.names()
    throw usageError(`${where}: unknown ${this.kind} type "${name}"`, {
      code: `unknown_${this.kind}`,
      suggestions: [
        available.length > 0 ? `use one of: ${available.join(', ')}` : `no ${this.kind} strategies are installed`,
        `a plugin can add one: bella plugins install <package>`,
      ],
    })
  }

  names(): string[] {
    return [...this.entries.keys()].sort()
  }

  list(): {name: string; description: string; owner: string}[] {
    return this.names().map((name) => {
      const entry = this.entries.get(name)!
      return {name, description: entry.definition.description, owner: entry.owner}
    })
  }
}

export interface Registries {
  sinks: StrategyRegistry<SinkDefinition>
  signals: StrategyRegistry<SignalDefinition>
}

export function createRegistries(): Registries {
  return {sinks: new StrategyRegistry('sink'), signals: new StrategyRegistry('signal')}
}

/** What a strategy package exports: adds its strategies to the registries. */
export type StrategyRegistrar = (registries: Registries) => void
