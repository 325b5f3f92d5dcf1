/** Typed calls for the endpoints bella uses. Secrets reads always go through E2EE. */
import {apiPath, type ApiClient} from './client.js'
import {parseAllEnvironmentSecrets, parseSecretsPayload, type FetchedEnvironmentSecrets, type SecretsPayload} from './secrets-response.js'
import {generalError} from '../errors.js'
import type {EnvironmentInfo, EnvironmentProvider, KeyContext, SecretsHash, SecretsVersion} from './types.js'

const KEY_CONTEXT_OPTIONAL = ['tenantId', 'tenantSlug', 'tenantName', 'projectId', 'projectSlug', 'projectName', 'environmentId', 'environmentSlug', 'environmentName'] as const

/** keys/me, checked: the fields bella uses must have the contract's types (else exit 1, naming the field). */
export async function getKeyContext(api: ApiClient): Promise<KeyContext> {
  const body = await api.request<unknown>({method: 'GET', path: apiPath('keys', 'me')})
  const invalid = (what: string) =>
    generalError(`${api.baseUrl} answered GET /api/v1/keys/me with an unexpected shape: ${what}`, {
      code: 'api_invalid_response',
      suggestions: ['check that --api-url / BELLA_BAXTER_URL points at a Bella Baxter API'],
    })
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object')
  const record = body as Record<string, unknown>
  if (typeof record['keyId'] !== 'string' || typeof record['role'] !== 'string') throw invalid('"keyId" and "role" must be strings')
  for (const field of KEY_CONTEXT_OPTIONAL) {
    const value = record[field]
    if (value !== undefined && value !== null && typeof value !== 'string') throw invalid(`"${field}" must be a string or null`)
  }
  return body as KeyContext
}

export function getEnvironment(api: ApiClient, project: string, environment: string): Promise<EnvironmentInfo> {
  return api.request<EnvironmentInfo>({method: 'GET', path: apiPath('projects', project, 'environments', environment)})
}

/**
 * The environment's secrets, validated (see secrets-response.ts): a malformed response is an API
 * error (exit 4); sealed values are left out of `secrets` and named in `sealed`.
 */
export async function getAllEnvironmentSecrets(api: ApiClient, project: string, environment: string): Promise<FetchedEnvironmentSecrets> {
  const path = apiPath('projects', project, 'environments', environment, 'secrets')
  const plaintext = await api.request<unknown>({method: 'GET', path, e2ee: true})
  return parseAllEnvironmentSecrets(plaintext, path, environment)
}

export function getEnvironmentSecretsVersion(api: ApiClient, project: string, environment: string): Promise<SecretsVersion> {
  return api.request<SecretsVersion>({method: 'GET', path: apiPath('projects', project, 'environments', environment, 'secrets', 'version')})
}

export function getEnvironmentProviders(api: ApiClient, project: string, environment: string): Promise<EnvironmentProvider[]> {
  return api.request<EnvironmentProvider[]>({method: 'GET', path: apiPath('projects', project, 'environments', environment, 'providers')})
}

/** One provider's secrets, validated like getAllEnvironmentSecrets (sealed values named, not returned). */
export async function getProviderSecrets(api: ApiClient, project: string, environment: string, provider: string): Promise<SecretsPayload> {
  const path = apiPath('projects', project, 'environments', environment, 'providers', provider, 'secrets')
  const plaintext = await api.request<unknown>({method: 'GET', path, e2ee: true})
  return parseSecretsPayload(plaintext, path)
}

export function getProviderSecretsHash(api: ApiClient, project: string, environment: string, provider: string): Promise<SecretsHash> {
  return api.request<SecretsHash>({
    method: 'GET',
    path: apiPath('projects', project, 'environments', environment, 'providers', provider, 'secrets', 'hash'),
  })
}
