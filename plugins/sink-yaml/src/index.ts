import {createFileSink, type Registries, type SinkDefinition} from '@bella/core/runtime'
import {renderYaml} from './render.js'

export {renderYaml, yamlQuote} from './render.js'

const OWNER = '@bella/sink-yaml'

export const yamlSink: SinkDefinition = {
  name: 'yaml',
  description: 'a YAML mapping of name to double-quoted value (strings stay strings in YAML 1.1 and 1.2)',
  create: (options, context) => createFileSink({render: renderYaml}, options, context),
  // Writing needs no YAML library; `yaml` is loaded only when a file is read back (tests).
  parse: async (content) => (await import('yaml')).default.parse(content) as Record<string, string>,
}

export function registerSinks(registries: Pick<Registries, 'sinks'>): void {
  registries.sinks.register(yamlSink, OWNER)
}
