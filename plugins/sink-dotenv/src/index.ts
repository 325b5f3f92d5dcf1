import {fileSinkDefinition, type Registries, type SinkDefinition} from '@bella/core/runtime'
import {renderDotenv} from './render.js'

export {encodeDotenvValue, renderDotenv, type EncodeResult} from './render.js'

const OWNER = '@bella/sink-dotenv'

/**
 * `KEY=value` lines for dotenv loaders, quoted so that the `dotenv` package reads every value back
 * exactly (see render.ts); written atomically, 0600 unless `mode` says otherwise.
 */
export const dotenvSink: SinkDefinition = fileSinkDefinition({
  name: 'dotenv',
  description: 'a .env file (KEY=value lines, quoted so the dotenv parser reads every value back exactly)',
  render: renderDotenv,
  // Loaded on demand: only tests read files back, so registering the sink costs nothing.
  parse: async (content) => (await import('dotenv')).default.parse(content),
})

export function registerSinks(registries: Pick<Registries, 'sinks'>): void {
  registries.sinks.register(dotenvSink, OWNER)
}
