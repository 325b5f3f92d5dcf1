import {fileSinkDefinition, type Registries, type SinkDefinition} from '@bella/core/runtime'
import {renderYaml} from './render.js'

export {renderYaml, yamlQuote} from './render.js'

const OWNER = '@bella/sink-yaml'

// `yaml` is loaded on the first write (or read-back), never at start-up: only the agent writes YAML.
// `.default` is the CommonJS module itself, under Node and in the esbuild bundles alike.
const parseYaml = async (content: string) => (await import('yaml')).default.parse(content) as Record<string, string>

export const yamlSink: SinkDefinition = fileSinkDefinition({
  name: 'yaml',
  description: 'a YAML mapping of name to double-quoted value (strings stay strings in YAML 1.1 and 1.2)',
  render: renderYaml,
  parse: parseYaml,
  verifyWrites: true,
})

export function registerSinks(registries: Pick<Registries, 'sinks'>): void {
  registries.sinks.register(yamlSink, OWNER)
}
