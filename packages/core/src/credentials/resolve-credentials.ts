import {parseApiKey} from '../crypto/api-key.js'
import {isBellaError, usageError} from '../errors.js'
import {displayPath, homeFromEnv} from '../config/paths.js'
import type {Env, Resolved, SettingSource} from '../config/types.js'
import type {CredentialStore} from './store.js'

/** The name older versions of `bella login` stored the API key under (no URL); still read. */
export const STORED_API_KEY = 'api-key'

/** The name `bella login` stores the key for one API URL under: one credential per URL. */
export const storedApiKeyName = (apiUrl: string) => `${STORED_API_KEY}@${apiUrl}`

export type ResolvedCredentials =
  | {kind: 'api-key'; raw: string; keyId: string; source: SettingSource; origin: string}
  | {kind: 'bearer'; token: string; source: SettingSource; origin: string}

export interface ResolveCredentialsInput {
  env: Env
  /**
   * Consulted only when the environment holds no credential. Pass a function to defer opening
   * (and probing) the store until then: CI with BELLA_BAXTER_API_KEY never touches the keychain.
   */
  store?: CredentialStore | (() => Promise<CredentialStore>)
  /** The resolved API URL: the stored key for this URL is used (else a legacy URL-less one). */
  apiUrl?: string
}

/**
 * First match wins (contract §1.4): BELLA_BAXTER_API_KEY → BELLA_BAXTER_ACCESS_TOKEN → the API
 * key stored by `bella login`. Undefined when there is none. A malformed key is a usage error
 * naming where it came from, rather than a request that fails later with a confusing 401.
 */
export async function resolveCredentials(input: ResolveCredentialsInput): Promise<ResolvedCredentials | undefined> {
  const {env} = input
  const envKey = env.BELLA_BAXTER_API_KEY?.trim()
  if (envKey) return apiKey(envKey, 'env', 'BELLA_BAXTER_API_KEY')
  const token = env.BELLA_BAXTER_ACCESS_TOKEN?.trim()
  if (token) return {kind: 'bearer', token, source: 'env', origin: 'BELLA_BAXTER_ACCESS_TOKEN'}
  if (!input.store) return undefined

  const store = typeof input.store === 'function' ? await input.store() : input.store
  const forUrl = input.apiUrl === undefined ? undefined : (await store.get(storedApiKeyName(input.apiUrl)))?.trim()
  const stored = forUrl || (await store.get(STORED_API_KEY))?.trim()
  if (!stored) return undefined
  const origin = store.backend === 'keychain' ? 'keychain' : `file ${displayPath(store.location, homeFromEnv(env))}`
  try {
    return apiKey(stored, 'credential-store', origin)
  } catch (error) {
    if (!isBellaError(error)) throw error
    throw usageError(error.message, {
      code: error.code,
      suggestions: ['store a valid key again: bella login --api-key <key> --force'],
    })
  }
}

function apiKey(raw: string, source: SettingSource, origin: string): ResolvedCredentials {
  const where = source === 'credential-store' ? `the API key stored in ${origin}` : origin
  const {keyId} = parseApiKey(raw, where)
  return {kind: 'api-key', raw, keyId, source, origin}
}

/** BELLA_BAXTER_PRIVATE_KEY (ZKE device key), passed through as text; `loadDeviceKey` parses it. */
export function resolveDeviceKey(env: Env): Resolved<string> | undefined {
  const value = env.BELLA_BAXTER_PRIVATE_KEY
  if (!value?.trim()) return undefined
  return {value, source: 'env', origin: 'BELLA_BAXTER_PRIVATE_KEY'}
}
