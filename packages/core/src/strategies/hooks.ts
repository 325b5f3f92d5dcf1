/**
 * The custom oclif hooks through which installed plugins contribute strategies. A strategy
 * package's hook file only wraps its `register…` function, so the same function also serves the
 * bundles (npm package and single binary), where the first-party strategies are registered
 * statically: the host calls `registerBuiltinStrategies` once, before any command runs.
 */
import type {Config} from '@oclif/core'
import {createRegistries, type Registries, type StrategyRegistrar, type StrategyRegistry} from './registry.js'
import type {SignalDefinition, SinkDefinition} from './types.js'

declare module '@oclif/core/interfaces' {
  interface Hooks {
    'bella:sinks': {options: {registry: StrategyRegistry<SinkDefinition>}; return: void}
    'bella:signals': {options: {registry: StrategyRegistry<SignalDefinition>}; return: void}
  }
}

const builtins: StrategyRegistrar[] = []

/** The strategies the host ships; applied before any plugin hook, so a plugin cannot take their names. */
export function registerBuiltinStrategies(...registrars: StrategyRegistrar[]): void {
  builtins.push(...registrars)
}

export interface LoadRegistriesOptions {
  /** Extra static registrars, applied after the built-ins (tests, embedders). */
  staticRegistrars?: StrategyRegistrar[]
  /** Told about a plugin whose hook failed; its strategies are then unavailable. */
  warn?: (message: string) => void
}

/**
 * Builds the registries: built-in and static registrars first (a conflict among those is a bug and
 * throws), then every installed plugin's hooks. A plugin whose hook throws, at load or while
 * registering (a taken name), is reported by name and skipped: one broken plugin must not stop
 * commands that do not use it. oclif's runHook only collects failures, it does not throw.
 */
export async function loadRegistries(config: Config, options: LoadRegistriesOptions = {}): Promise<Registries> {
  const registries = createRegistries()
  for (const register of [...builtins, ...(options.staticRegistrars ?? [])]) register(registries)
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`Warning: ${message}\n`))
  const results = [
    await config.runHook('bella:sinks', {registry: registries.sinks}),
    await config.runHook('bella:signals', {registry: registries.signals}),
  ]
  for (const result of results) {
    for (const failure of result.failures) {
      const reason = failure.error instanceof Error ? failure.error.message : String(failure.error)
      warn(
        `plugin ${failure.plugin.name} failed to register its strategies, so they are unavailable: ${firstLine(reason)}` +
          ` (Try: bella plugins uninstall ${failure.plugin.name}, or update it)`,
      )
    }
  }
  return registries
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
