/**
 * `bella agent --once --explain`: what one pass would write, per watch and per sink, by name and
 * provider, without writing a file (not even removing stale temp files) or signalling anyone.
 * Loaded only with --explain.
 */
import {escapeControls, getAllEnvironmentSecrets, type ApiClient, type Env, type Registries} from '@bella/core'
import {alsoIn, attributeProviders, duplicateLine, listProviderSecrets, shownName, shownSlug, summarizeProviders, table, type DuplicateExplained, type ProviderSummary} from '@bella/core/explain'
import {loadAgentConfig, type WatchConfig} from './config/load.js'
import {errorMessage, plural, watchError} from './messages.js'
import {fetchWatch} from './watch-fetch.js'

export interface WatchExplained {
  label: string
  project: string
  environment: string
  /** The provider the watch names, resolved to its slug; null for a whole-environment watch. */
  provider: string | null
  /** Every name the watch fetched, with the provider it came from. */
  secrets: {name: string; provider: string | null; providers: string[]; included: boolean}[]
  /** Left out because their value came sealed at rest. */
  sealed: string[]
  duplicates: DuplicateExplained[]
  providers: ProviderSummary[] | null
  providersUnavailable?: string
}

export interface AgentExplanation {
  command: 'agent'
  config: string
  /** Always false: --explain writes no file and signals no process. */
  written: false
  watches: WatchExplained[]
  /** Names two watches define; the later watch wins. */
  collisions: {name: string; watches: string[]; winner: string}[]
  /** Each sink gets the whole merged set: the names it would hold. */
  sinks: {type: string; target: string; names: string[]}[]
}

export interface ExplainAgentOptions {
  configPath: string
  configLabel: string
  env: Env
  registries: Registries
  connect: () => Promise<ApiClient>
  warn: (message: string) => void
}

export async function explainAgent(options: ExplainAgentOptions): Promise<AgentExplanation> {
  const config = await loadAgentConfig({path: options.configPath, label: options.configLabel, env: options.env, registries: options.registries})
  const api = await options.connect()
  const watches: WatchExplained[] = []
  for (const watch of config.watches) {
    try {
      watches.push(await explainWatch(api, watch, options.warn))
    } catch (error) {
      throw watchError(watch.label, error, errorMessage(error), 0, true)
    }
  }

  // As the agent merges: in watch order, later wins, names compared case-sensitively.
  const owners = new Map<string, string[]>()
  for (const watch of watches) for (const s of watch.secrets) if (s.included) owners.set(s.name, [...(owners.get(s.name) ?? []), watch.label])
  const collisions = [...owners].filter(([, labels]) => labels.length > 1).map(([name, labels]) => ({name, watches: labels, winner: labels.at(-1)!}))
  const names = [...owners.keys()]
  return {
    command: 'agent',
    config: config.file,
    written: false,
    watches,
    collisions,
    sinks: config.sinks.map((s) => ({type: s.type, target: s.sink.target, names})),
  }
}

async function explainWatch(api: ApiClient, watch: WatchConfig, warn: (message: string) => void): Promise<WatchExplained> {
  const base = {label: watch.label, project: watch.project, environment: watch.environment}
  if (watch.provider) {
    const cache: {providerSlug?: string} = {}
    const fetched = await fetchWatch(api, watch, cache)
    const slug = cache.providerSlug!
    const sealed = new Set(fetched.sealed)
    const provider = {slug, secrets: new Map(Object.entries(fetched.secrets)), sealed}
    const {sources} = attributeProviders(fetched.secrets, fetched.sealed, [provider])
    return {
      ...base,
      provider: slug,
      secrets: sources.map((s) => ({...s, included: !sealed.has(s.name)})),
      sealed: fetched.sealed,
      duplicates: [],
      providers: summarizeProviders([provider]),
    }
  }
  const fetched = await getAllEnvironmentSecrets(api, watch.project, watch.environment)
  const listing = await listProviderSecrets(api, watch.project, watch.environment)
  if (listing.providers === undefined) warn(`${watch.label}: ${listing.unavailable}; the explanation cannot say which provider each secret came from`)
  const {sources, duplicates} = attributeProviders(fetched.secrets, fetched.sealed, listing.providers)
  const sealed = new Set(fetched.sealed)
  return {
    ...base,
    provider: null,
    secrets: sources.map((s) => ({...s, included: !sealed.has(s.name)})),
    sealed: fetched.sealed,
    duplicates,
    providers: listing.providers ? summarizeProviders(listing.providers) : null,
    ...(listing.providers === undefined ? {providersUnavailable: listing.unavailable} : {}),
  }
}

const NAMES_LISTED = 50

/** The lines for stderr. */
export function renderAgentExplanation(result: AgentExplanation): string[] {
  const lines = [`bella: explaining one pass of ${escapeControls(result.config)}; no file is written and no process signalled`]
  for (const watch of result.watches) {
    lines.push(`bella: watch ${escapeControls(watch.label)}: ${plural(watch.secrets.length, 'name')}`)
    if (watch.secrets.length > 0) {
      const rows = watch.secrets.map((s) => [
        shownName(s.name),
        s.provider === null ? '?' : shownSlug(s.provider),
        (s.included ? 'would be written' : 'withheld: value still sealed') + alsoIn(s.provider, s.providers),
      ])
      lines.push(...table([['NAME', 'PROVIDER', 'STATUS'], ...rows]))
    }
    for (const d of watch.duplicates) lines.push(duplicateLine(d))
  }
  for (const c of result.collisions) {
    lines.push(`bella: ${shownName(c.name)} is defined by watches ${c.watches.map(escapeControls).join(', ')}: ${escapeControls(c.winner)} wins`)
  }
  for (const sink of result.sinks) {
    const listed = sink.names.slice(0, NAMES_LISTED).map(shownName).join(', ')
    const more = sink.names.length > NAMES_LISTED ? ` and ${sink.names.length - NAMES_LISTED} more` : ''
    lines.push(`bella: sink ${escapeControls(sink.target)} (${escapeControls(sink.type)}) would hold ${plural(sink.names.length, 'name')}${sink.names.length ? `: ${listed}${more}` : ''}`)
  }
  return lines
}
