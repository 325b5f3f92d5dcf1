/** Typed calls for the endpoints bella uses. Secrets reads always go through E2EE. */
import {secretsFromPlaintext} from '../crypto/e2ee.js'
import {apiPath, type ApiClient} from './client.js'
import type {AllEnvironmentSecrets, EnvironmentInfo, EnvironmentProvider, KeyContext, SecretsHash, SecretsVersion} from './types.js'

export function getKeyContext(api: ApiClient): Promise<KeyContext> {
  return api.request<KeyContext>({method: 'GET', path: apiPath('keys', 'me')})
}

export function getEnvironment(api: ApiClient, project: string, environment: string): Promise<EnvironmentInfo> {
  return api.request<EnvironmentInfo>({method: 'GET', path: apiPath('projects', project, 'environments', environment)})
}

export async function getAllEnvironmentSecrets(api: ApiClient, project: string, environment: string): Promise<AllEnvironmentSecrets> {
  const plaintext = await api.request<unknown>({
    method: 'GET',
    path: apiPath('projects', project, 'environments', environment, 'secrets'),
    e2ee: true,
  })
  // Accept every plaintext shape of contract §3.4, but always hand back the full object.
  const full = (plaintext && typeof plaintext === 'object' && !Array.isArray(plaintext) ? plaintext : {}) as Partial<AllEnvironmentSecrets>
  return {
    environmentSlug: full.environmentSlug ?? environment,
    environmentName: full.environmentName ?? environment,
    secrets: secretsFromPlaintext(plaintext),
    version: typeof full.version === 'number' ? full.version : 0,
    lastModified: full.lastModified ?? '',
  }
}

export function getEnvironmentSecretsVersion(api: ApiClient, project: string, environment: string): Promise<SecretsVersion> {
  return api.request<SecretsVersion>({method: 'GET', path: apiPath('projects', project, 'environments', environment, 'secrets', 'version')})
}

export function getEnvironmentProviders(api: ApiClient, project: string, environment: string): Promise<EnvironmentProvider[]> {
  return api.request<EnvironmentProvider[]>({method: 'GET', path: apiPath('projects', project, 'environments', environment, 'providers')})
}

export async function getProviderSecrets(
  api: ApiClient,
  project: string,
  environment: string,
  provider: string,
): Promise<Record<string, string>> {
  const plaintext = await api.request<unknown>({
    method: 'GET',
    path: apiPath('projects', project, 'environments', environment, 'providers', provider, 'secrets'),
    e2ee: true,
  })
  return secretsFromPlaintext(plaintext)
}

export function getProviderSecretsHash(api: ApiClient, project: string, environment: string, provider: string): Promise<SecretsHash> {
  return api.request<SecretsHash>({
    method: 'GET',
    path: apiPath('projects', project, 'environments', environment, 'providers', provider, 'secrets', 'hash'),
  })
}
