/**
 * Typed, validated calls for the endpoints these commands use (contract §2.7, §3.1; openapi.json).
 * Reads that carry values go through E2EE (the client refuses a plaintext answer); every answer is
 * checked for shape before anything is taken from it (validate.ts).
 */
import {apiPath, type ApiClient} from '@bella/core'
import {array, invalidResponse, object, optionalNumber, optionalString, string} from './validate.js'

export interface ProjectSummary {
  id: string
  slug: string
  name: string
  description: string | null
  environmentCount: number | null
}

export interface EnvironmentSummary {
  id: string
  slug: string
  name: string
  description: string | null
  providerCount: number | null
  secretCount: number | null
}

export interface ProviderSummary {
  slug: string
  name: string
  type: string
  region: string | null
}

/** A secret as listSecrets / getSecret give it (the value stays in memory, never printed unasked). */
export interface SecretItem {
  key: string
  value: string
  description: string | null
  type: string | null
  updatedAt: string | null
  /** Present on getSecret (the emulator's extension); null when the server does not say. */
  version: number | null
}

const secretsPath = (p: string, e: string, v: string, ...rest: string[]) => apiPath('projects', p, 'environments', e, 'providers', v, 'secrets', ...rest)

export async function listProjects(api: ApiClient): Promise<ProjectSummary[]> {
  const what = 'GET /api/v1/projects'
  const page = object(await api.request<unknown>({method: 'GET', path: apiPath('projects'), query: {page: '0', size: '200'}}), what)
  return array(page.content, what, '`content`').map((raw, i) => {
    const p = object(raw, what, `content[${i}]`)
    return {
      id: string(p, 'id', what),
      slug: string(p, 'slug', what),
      name: string(p, 'name', what),
      description: optionalString(p, 'description', what),
      environmentCount: optionalNumber(p, 'environmentCount', what),
    }
  })
}

export async function listEnvironments(api: ApiClient, project: string): Promise<EnvironmentSummary[]> {
  const what = `GET /api/v1/projects/${project}/environments`
  const body = await api.request<unknown>({method: 'GET', path: apiPath('projects', project, 'environments')})
  return array(body, what).map((raw, i) => {
    const e = object(raw, what, `item ${i}`)
    return {
      id: string(e, 'id', what),
      slug: string(e, 'slug', what),
      name: string(e, 'name', what),
      description: optionalString(e, 'description', what),
      providerCount: optionalNumber(e, 'providerCount', what),
      secretCount: optionalNumber(e, 'secretCount', what),
    }
  })
}

export async function listProviders(api: ApiClient, project: string, environment: string): Promise<ProviderSummary[]> {
  const what = `GET /api/v1/projects/${project}/environments/${environment}/providers`
  const body = await api.request<unknown>({method: 'GET', path: apiPath('projects', project, 'environments', environment, 'providers')})
  return array(body, what).map((raw, i) => {
    const v = object(raw, what, `item ${i}`)
    return {
      slug: string(v, 'providerSlug', what),
      name: string(v, 'providerName', what),
      type: string(v, 'providerType', what),
      region: optionalString(v, 'region', what),
    }
  })
}

function secretItem(raw: unknown, what: string, where: string): SecretItem {
  const s = object(raw, what, where)
  return {
    key: string(s, 'key', what),
    value: string(s, 'value', what),
    description: optionalString(s, 'description', what),
    type: optionalString(s, 'type', what),
    updatedAt: optionalString(s, 'updatedAt', what) ?? optionalString(s, 'createdAt', what),
    version: optionalNumber(s, 'version', what),
  }
}

/** listSecrets: the provider's secrets with their metadata (an envelope-required read). */
export async function listProviderSecrets(api: ApiClient, project: string, environment: string, provider: string): Promise<SecretItem[]> {
  const what = `GET …/providers/${provider}/secrets`
  const body = await api.request<unknown>({method: 'GET', path: secretsPath(project, environment, provider), e2ee: true})
  const items = array(body, what).map((raw, i) => secretItem(raw, what, `item ${i}`))
  return items
}

/** getSecret, or getSecretVersion when `version` is given (both envelope-required). */
export async function getSecret(api: ApiClient, project: string, environment: string, provider: string, key: string, version?: number): Promise<SecretItem> {
  const path = version === undefined ? secretsPath(project, environment, provider, key) : secretsPath(project, environment, provider, key, 'versions', String(version))
  const what = `GET …/providers/${provider}/secrets/{key}${version === undefined ? '' : `/versions/${version}`}`
  const item = secretItem(await api.request<unknown>({method: 'GET', path, e2ee: true}), what, 'the body')
  if (item.key !== key) throw invalidResponse(what, 'it is about another secret')
  return version === undefined ? item : {...item, version: item.version ?? version}
}

/** listSecretVersions → the current version number (plain metadata). */
export async function currentVersion(api: ApiClient, project: string, environment: string, provider: string, key: string): Promise<number | null> {
  const what = `GET …/providers/${provider}/secrets/{key}/versions`
  const body = object(await api.request<unknown>({method: 'GET', path: secretsPath(project, environment, provider, key, 'versions')}), what)
  return optionalNumber(body, 'currentVersion', what)
}

export interface SecretWrite {
  key: string
  value: string
  description: string | null
}

function checkWriteAnswer(body: unknown, what: string): void {
  const answer = object(body, what)
  if (answer.success === false) throw invalidResponse(what, `the server reported failure: ${typeof answer.message === 'string' ? answer.message.slice(0, 200) : 'no message'}`)
}

/** createSecret (POST; never retried) or updateSecret (PUT) — the value travels in the body only. */
export async function writeSecret(api: ApiClient, project: string, environment: string, provider: string, write: SecretWrite, exists: boolean): Promise<void> {
  const body = {key: write.key, value: write.value, description: write.description}
  if (exists) {
    checkWriteAnswer(await api.request<unknown>({method: 'PUT', path: secretsPath(project, environment, provider, write.key), body}), `PUT …/providers/${provider}/secrets/{key}`)
  } else {
    checkWriteAnswer(await api.request<unknown>({method: 'POST', path: secretsPath(project, environment, provider), body}), `POST …/providers/${provider}/secrets`)
  }
}

export async function deleteSecret(api: ApiClient, project: string, environment: string, provider: string, key: string): Promise<void> {
  const what = `DELETE …/providers/${provider}/secrets/{key}`
  checkWriteAnswer(await api.request<unknown>({method: 'DELETE', path: secretsPath(project, environment, provider, key)}), what)
}
