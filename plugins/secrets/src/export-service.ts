/** `bella secrets export`: the environment's secrets through a registered sink strategy. */
import {getAllEnvironmentSecrets, usageError, type SessionInput, type SinkDefinition} from '@bella/core'
import {withWorking} from './target.js'

export interface ExportOptions {
  session: SessionInput
  /** The format: a sink from the registry (core's loadRegistries). */
  sink: SinkDefinition
  /** Write here atomically (0600) instead of returning the text. */
  output?: {path: string; baseDir: string}
}

export interface ExportOutcome {
  project: string
  environment: string
  names: string[]
  /** The rendered text, when there is no output file. */
  text?: string
  /** Names whose value was still sealed at rest, left out. */
  sealed: string[]
  written?: 'written' | 'unchanged'
  path?: string
}

export async function secretsExport(options: ExportOptions): Promise<ExportOutcome> {
  const {sink} = options
  if (!options.output && !sink.render) {
    throw usageError(`format "${sink.name}" can only be written to a file`, {code: 'export_needs_output', suggestions: [`add --output FILE`]})
  }
  // Options are checked before any request, so a bad --output fails fast.
  const file = options.output ? sink.create({path: options.output.path}, {baseDir: options.output.baseDir}) : undefined
  const {w, fetched} = await withWorking(options.session, async (w) => ({w, fetched: await getAllEnvironmentSecrets(w.session.api, w.project, w.environment)}))
  const base = {project: w.project, environment: w.environment, names: Object.keys(fetched.secrets), sealed: fetched.sealed}
  if (file) return {...base, written: await file.write(fetched.secrets), path: file.target}
  return {...base, text: await sink.render!(fetched.secrets)}
}
