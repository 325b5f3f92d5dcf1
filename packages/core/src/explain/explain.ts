/**
 * `--explain`: why a program would see what it sees. Pure: the caller fetches the secrets, the
 * providers' names and the inherited environment; this turns them into a structured explanation
 * that holds names, provider slugs and sizes only, never a value (values are read here to build
 * the environment and measure it, and to tell which provider's copy the API served).
 */
import {buildChildEnv, type WithheldReason} from '../process/env.js'
import {measureSpawnSize} from '../process/limits.js'

/** One provider of the environment and the names it holds (values stay with the caller). */
export interface ProviderSecrets {
  slug: string
  name?: string
  type?: string
  /** Name → value: compared with the served value to tell which copy won, never output. */
  secrets: ReadonlyMap<string, string>
  /** Names whose value it served sealed (withheld by the API layer). */
  sealed?: ReadonlySet<string>
}

const holds = (p: ProviderSecrets, name: string) => p.secrets.has(name) || (p.sealed?.has(name) ?? false)

export interface ExplainInput {
  /** The environment's secrets as the API served them (what the program would get). */
  secrets: Readonly<Record<string, string>>
  /** Names the API layer left out because their value came sealed at rest. */
  sealed?: readonly string[]
  /** The environment's providers in the API's order; undefined when they could not be listed. */
  providers?: readonly ProviderSecrets[]
  /** bella's own environment, which the program inherits. */
  inherited: Readonly<Record<string, string | undefined>>
  passCredentials: boolean
  allowReserved: boolean
  /** The flag that lets reserved names through (named in the explanation). */
  allowFlag: string
  /** The command line, counted in the size against the exec limit. */
  command: string
  args?: readonly string[]
  platform?: NodeJS.Platform
}

export interface ExplainedSecret {
  name: string
  /** The provider whose value was served; null when no listed provider holds it (or the copies differ from it). */
  provider: string | null
  /** Every provider holding the name, in the API's order (more than one: a duplicate). */
  providers: string[]
  /** True when the program would get it. */
  injected: boolean
  /** Why not, when withheld. */
  withheld?: WithheldReason
  /** True when it replaces a variable bella inherited. */
  overrides: boolean
}

export interface WithheldExplained {
  name: string
  reason: WithheldReason
  /** The flag that would let it through; null when no flag can (rename or fix it in Bella Baxter). */
  flag: string | null
}

export interface DuplicateExplained {
  name: string
  providers: string[]
  /** The provider whose value the API served; null when the copies are equal or none matches. */
  winner: string | null
  /** True when every copy holds the same value (then which one won does not matter). */
  sameValue: boolean
}

export interface EnvironmentSizeExplained {
  /** Variables the program would get, inherited ones included. */
  variables: number
  /** Arguments plus environment, as execve counts them. */
  bytes: number
  /** The total bella allows on this OS; null where none is known. */
  limit: number | null
  /** The largest single NAME=value allowed; null where there is none. */
  perVariableLimit: number | null
  fits: boolean
  largest: {name: string; bytes: number}[]
}

export interface ProviderSummary {
  slug: string
  name: string | null
  type: string | null
  /** How many names it holds. */
  count: number
}

/** The providers as the explanation lists them: slug, name, type and how many names. */
export function summarizeProviders(providers: readonly ProviderSecrets[]): ProviderSummary[] {
  return providers.map((p) => ({slug: p.slug, name: p.name ?? null, type: p.type ?? null, count: p.secrets.size + (p.sealed?.size ?? 0)}))
}

export interface Explanation {
  secrets: ExplainedSecret[]
  /** The providers listed, with how many names each holds; null when they could not be listed. */
  providers: ProviderSummary[] | null
  duplicates: DuplicateExplained[]
  withheld: WithheldExplained[]
  /** Inherited variables a secret would replace. */
  overrides: string[]
  /** Inherited variables bella removes (its own credentials). */
  removed: string[]
  size: EnvironmentSizeExplained
}

export interface Attribution {
  /** Served names, then sealed ones, in response order. */
  names: string[]
  sources: {name: string; provider: string | null; providers: string[]}[]
  duplicates: DuplicateExplained[]
}

/**
 * Which provider each served name came from, and the names several providers hold. The copy
 * whose value is the one served won; when several match, the last (the API merges in order,
 * later wins). A name only one provider holds is that provider's even if its value moved since.
 */
export function attributeProviders(
  served: Readonly<Record<string, string>>,
  sealed: readonly string[],
  providers: readonly ProviderSecrets[] | undefined,
): Attribution {
  const values = new Map(Object.entries(served))
  const names = [...values.keys(), ...sealed.filter((n) => !values.has(n))]
  const sources: Attribution['sources'] = []
  const duplicates: DuplicateExplained[] = []
  for (const name of names) {
    const holders = (providers ?? []).filter((p) => holds(p, name))
    const value = values.get(name)
    const winner = value === undefined ? undefined : holders.filter((p) => p.secrets.get(name) === value).at(-1)?.slug
    sources.push({name, provider: winner ?? (holders.length === 1 ? holders[0]!.slug : null), providers: holders.map((p) => p.slug)})
    if (holders.length > 1) {
      const sameValue = holders.every((p) => p.secrets.get(name) === holders[0]!.secrets.get(name))
      duplicates.push({name, providers: holders.map((p) => p.slug), winner: sameValue ? null : (winner ?? null), sameValue})
    }
  }
  return {names, sources, duplicates}
}

/** The explanation for `input` (see ExplainInput). Output holds names and sizes only. */
export function explainEnvironment(input: ExplainInput): Explanation {
  const inherited = new Map(Object.entries(input.inherited).filter((e): e is [string, string] => e[1] !== undefined))
  const built = buildChildEnv({inherited: input.inherited, secrets: input.secrets, passCredentials: input.passCredentials, allowReserved: input.allowReserved})
  const withheldReason = new Map<string, WithheldReason>(built.withheld.map((w) => [w.name, w.reason]))
  for (const name of input.sealed ?? []) withheldReason.set(name, 'sealed')
  const childHas = new Set(Object.keys(built.env))

  const {names, sources, duplicates} = attributeProviders(input.secrets, input.sealed ?? [], input.providers)
  const secrets: ExplainedSecret[] = sources.map(({name, provider, providers}) => {
    const reason = withheldReason.get(name)
    const injected = reason === undefined && childHas.has(name)
    return {name, provider, providers, injected, ...(reason === undefined ? {} : {withheld: reason}), overrides: injected && inherited.has(name)}
  })

  const withheld = names
    .filter((name) => withheldReason.has(name))
    .map((name): WithheldExplained => {
      const reason = withheldReason.get(name)!
      return {name, reason, flag: reason === 'reserved' ? input.allowFlag : null}
    })
  const overrides = secrets.filter((s) => s.overrides).map((s) => s.name)
  const removed = [...inherited.keys()].filter((name) => !childHas.has(name))

  return {
    secrets,
    providers: input.providers ? summarizeProviders(input.providers) : null,
    duplicates,
    withheld,
    overrides,
    removed,
    size: measureExplained(built.env, input.command, input.args, input.platform),
  }
}

/** The size of the environment `env` plus the command line, against the OS's exec limits. */
export function measureExplained(
  env: Readonly<Record<string, string>>,
  command: string,
  args: readonly string[] = [],
  platform: NodeJS.Platform = process.platform,
): EnvironmentSizeExplained {
  const measure = measureSpawnSize({command, args, env}, platform)
  const fits =
    (measure.limit === undefined || measure.bytes <= measure.limit) &&
    (measure.perVariableLimit === undefined || (measure.largest[0]?.bytes ?? 0) <= measure.perVariableLimit)
  return {
    variables: Object.keys(env).length,
    bytes: measure.bytes,
    limit: measure.limit ?? null,
    perVariableLimit: measure.perVariableLimit ?? null,
    fits,
    largest: measure.largest,
  }
}
