/**
 * Which provider each secret comes from. getAllEnvironmentSecrets (contract §2.1) serves one flat
 * map with no per-secret source, so the environment's providers are listed
 * (getEnvironmentProviders) and each one's secrets read (listSecrets, E2EE like every read that
 * carries values). The values stay in memory: they only tell which copy the API served.
 */
import type {ApiClient} from '../api/client.js'
import {getEnvironmentProviders, getProviderSecrets} from '../api/endpoints.js'
import {isBellaError} from '../errors.js'
import type {ProviderSecrets} from './explain.js'

export type ProviderListing = {providers: ProviderSecrets[]} | {providers: undefined; unavailable: string}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The environment's providers and their names, in the API's order. A key allowed to read the
 * secrets but not the provider list (403, 404) or a malformed list leaves the providers unknown
 * (`unavailable` says why) rather than failing the explanation; an unreachable API still fails.
 */
export async function listProviderSecrets(api: ApiClient, project: string, environment: string): Promise<ProviderListing> {
  try {
    return await listAll(api, project, environment)
  } catch (error) {
    if (isBellaError(error) && (error.kind === 'auth' || error.code === 'api_not_found')) {
      return {providers: undefined, unavailable: `the API refused to list the providers of ${project}/${environment} and their secrets (${error.code})`}
    }
    throw error
  }
}

async function listAll(api: ApiClient, project: string, environment: string): Promise<ProviderListing> {
  const listed: unknown = await getEnvironmentProviders(api, project, environment)
  if (!Array.isArray(listed) || !listed.every((p) => isRecord(p) && typeof p.providerSlug === 'string' && p.providerSlug !== '')) {
    return {providers: undefined, unavailable: `the API's list of providers of ${project}/${environment} has an unexpected shape`}
  }
  const providers: ProviderSecrets[] = []
  for (const entry of listed as Record<string, unknown>[]) {
    const slug = entry.providerSlug as string
    const {secrets, sealed} = await getProviderSecrets(api, project, environment, slug)
    providers.push({
      slug,
      ...(typeof entry.providerName === 'string' ? {name: entry.providerName} : {}),
      ...(typeof entry.providerType === 'string' ? {type: entry.providerType} : {}),
      secrets: new Map(Object.entries(secrets)),
      sealed: new Set(sealed),
    })
  }
  return {providers}
}
