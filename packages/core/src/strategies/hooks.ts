/**
 * The custom oclif hooks through which installed plugins contribute strategies. A strategy
 * package's hook file only wraps its `register…` function, so the same function also serves a
 * bundle, where hooks cannot load (static registration).
 */
import type {Config} from '@oclif/core'
import {generalError} from '../errors.js'
import {createRegistries, type Registries, type StrategyRegistrar, type StrategyRegistry} from './registry.js'
import type {SignalDefinition, SinkDefinition} from './types.js'

declare module '@oclif/core/interfaces' {
  interface Hooks {
    'bella:sinks': {options: {registry: StrategyRegistry<SinkDefinition>}; return: void}
    'bella:signals': {options: {registry: StrategyRegistry<SignalDefinition>}; return: void}
  }
}

/**
 * Builds the registries: static registrars first, then every installed plugin's hooks. A failing
 * hook is an error naming the plugin (oclif's runHook only collects failures, it does not throw).
 */
export async function loadRegistries(config: Config, staticRegistrars: StrategyRegistrar[] = []): Promise<Registries> {
  const registries = createRegistries()
  for (const register of staticRegistrars) register(registries)
  const results = [
    await config.runHook('bella:sinks', {registry: registries.sinks}),
    await config.runHook('bella:signals', {registry: registries.signals}),
  ]
  for (const result of results) {
    const failure = result.failures[0]
    if (failure) {
      const cause = failure.error
      if ((cause as {bellaError?: boolean}).bellaError) throw cause
      throw generalError(`plugin ${failure.plugin.name} failed to register its strategies: ${cause.message}`, {
        code: 'strategy_plugin_failed',
        suggestions: [`update or uninstall it: bella plugins uninstall ${failure.plugin.name}`],
        cause,
      })
    }
  }
  return registries
}
