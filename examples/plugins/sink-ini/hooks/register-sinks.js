// The `bella:sinks` hook: bella runs it for every installed or linked plugin.
import {registerSinks} from '../index.js'

/** @param {{registry: import('bella-plugin-sdk').StrategyRegistry<import('bella-plugin-sdk').SinkDefinition>}} options */
export default async function hook(options) {
  registerSinks({sinks: options.registry})
}
