/**
 * What the agent asks the API for one watch: its cheap change marker, and its secrets.
 *
 * The marker of an environment watch is everything the version endpoint says (version and
 * lastModified), so that any difference from the last one seen, not only a higher version, means
 * "fetch and compare": after a server reset or restore, an edit can land on a version number the
 * agent already had. A provider watch's marker is the provider's content hash. Whether the secrets
 * changed is then decided by a digest of the secrets themselves, never by the marker.
 */
import {createHash} from 'node:crypto'
import {
  getAllEnvironmentSecrets,
  getEnvironmentProviders,
  getEnvironmentSecretsVersion,
  getProviderSecrets,
  getProviderSecretsHash,
  usageError,
  type ApiClient,
} from '@bella/core'
import type {WatchConfig} from './config/load.js'

export interface Fetched {
  /** "v<version>@<lastModified>" or "h<hash>": compared, never shown. */
  marker: string
  secrets: Record<string, string>
  /** SHA-256 of the secrets (names and values, in order): what "changed" means. Never shown. */
  digest: string
  version?: number
  /** Secrets left out because their value came sealed at rest (names only). */
  sealed: string[]
}

/** Where the resolved provider slug is kept between calls. */
export interface ProviderSlugCache {
  providerSlug?: string
}

/** A digest of a secrets map, independent of key order. */
export function secretsDigest(secrets: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256')
  for (const name of Object.keys(secrets).sort()) hash.update(`${JSON.stringify(name)}:${JSON.stringify(secrets[name])}\n`)
  return hash.digest('hex')
}

const versionMarker = (version: number, lastModified: unknown) => `v${version}@${typeof lastModified === 'string' ? lastModified : ''}`

export async function checkMarker(api: ApiClient, config: WatchConfig, cache: ProviderSlugCache): Promise<string> {
  const {project, environment} = config
  if (!config.provider) {
    const answer = await getEnvironmentSecretsVersion(api, project, environment)
    return versionMarker(answer.version, answer.lastModified)
  }
  const slug = await providerSlug(api, config, cache)
  return `h${(await getProviderSecretsHash(api, project, environment, slug)).hash}`
}

export async function fetchWatch(api: ApiClient, config: WatchConfig, cache: ProviderSlugCache): Promise<Fetched> {
  const {project, environment} = config
  if (!config.provider) {
    const all = await getAllEnvironmentSecrets(api, project, environment)
    return {
      marker: versionMarker(all.version, all.lastModified),
      secrets: all.secrets,
      digest: secretsDigest(all.secrets),
      version: all.version,
      sealed: all.sealed,
    }
  }
  const slug = await providerSlug(api, config, cache)
  // The marker first: a change between the two calls is then seen by the next poll, never lost.
  const hash = await getProviderSecretsHash(api, project, environment, slug)
  const {secrets, sealed} = await getProviderSecrets(api, project, environment, slug)
  return {marker: `h${hash.hash}`, secrets, digest: secretsDigest(secrets), sealed}
}

/** The configured provider (slug, name or id, as the official agent accepts) → its slug. */
async function providerSlug(api: ApiClient, config: WatchConfig, cache: ProviderSlugCache): Promise<string> {
  if (cache.providerSlug) return cache.providerSlug
  const {project, environment, provider} = config
  const wanted = provider!
  const providers = await getEnvironmentProviders(api, project, environment)
  const lower = wanted.toLowerCase()
  const found =
    providers.find((p) => p.providerSlug === wanted) ??
    providers.find((p) => [p.providerSlug, p.providerName, p.providerId, p.id].some((v) => typeof v === 'string' && v.toLowerCase() === lower))
  if (!found) {
    const slugs = providers.map((p) => p.providerSlug)
    throw usageError(`${config.providerWhere ?? config.where}: ${project}/${environment} has no provider "${wanted}"`, {
      code: 'agent_unknown_provider',
      suggestions: [slugs.length > 0 ? `use one of: ${slugs.join(', ')}` : `${project}/${environment} has no providers; leave "provider" out`],
    })
  }
  cache.providerSlug = found.providerSlug
  return found.providerSlug
}
