import {join} from 'node:path'
import {
  STORED_API_KEY,
  storedApiKeyName,
  readUserConfig,
  updateUserConfig,
  authError,
  createApiClient,
  deadlineHint,
  forgetSnapshots,
  getKeyContext,
  isBellaError,
  keyContextCache,
  keyPrefix,
  openCredentialStore,
  parseApiKey,
  unreachableError,
  type Env,
  type KeyContext,
  type ResolvedSettings,
} from '@bella/core'

export interface LoginOptions {
  rawKey: string
  /** Where the key came from, for messages: '--api-key' or 'standard input'. */
  keyOrigin: string
  settings: ResolvedSettings
  env: Env
  configDir: string
  notice: (message: string) => void
}

export interface LoginResult {
  keyPrefix: string
  context: KeyContext
  /** The URL the key was verified against and stored for. */
  apiUrl: string
  storedIn: string
  backend: 'keychain' | 'file'
  /** Set when an environment variable will take precedence over the stored key. */
  shadowedBy?: string
}

/** Verifies the key with keys/me first: a key the API rejects is never stored. */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const key = parseApiKey(options.rawKey, `the key from ${options.keyOrigin}`)
  const api = createApiClient({
    baseUrl: options.settings.apiUrl.value,
    credentials: {kind: 'api-key', key, origin: options.keyOrigin},
    appClient: options.settings.app?.value,
    deadlineMs: options.settings.timeout.value * 1000,
    deadlineHint: deadlineHint(options.settings.timeout),
  })
  let context: KeyContext
  try {
    context = await getKeyContext(api)
  } catch (error) {
    if (isBellaError(error) && error.kind === 'auth') {
      throw authError(`${api.baseUrl} rejected the key ${keyPrefix(key.keyId)}…; it was not stored`, {
        code: error.code,
        suggestions: ['check the key is current, not revoked, and issued by this server', ...error.suggestions.slice(1)],
        cause: error,
      })
    }
    if (isBellaError(error) && error.kind === 'unreachable') {
      throw unreachableError(`Could not verify the key with ${api.baseUrl}; it was not stored. ${error.message}`, {
        code: error.code,
        suggestions: error.suggestions,
        cause: error,
      })
    }
    throw error
  }
  const store = await openCredentialStore({env: options.env, configDir: options.configDir, notice: options.notice})
  // One key per API URL; the URL it was verified against becomes the one later commands use.
  await store.set(storedApiKeyName(api.baseUrl), options.rawKey.trim())
  await store.delete(STORED_API_KEY) // a key from an older bella, stored without its URL
  updateUserConfig(options.configDir, {loginUrl: api.baseUrl})
  const shadowedBy = ['BELLA_BAXTER_API_KEY', 'BELLA_BAXTER_ACCESS_TOKEN'].find((name) => options.env[name]?.trim())
  return {keyPrefix: keyPrefix(key.keyId), context, apiUrl: api.baseUrl, storedIn: store.location, backend: store.backend, shadowedBy}
}

export interface LogoutResult {
  removed: boolean
  location: string
  stillSet?: string
  /** Offline snapshots deleted (of the stored key and of one set in the environment). */
  snapshots: number
}

export async function logout(options: {apiUrl: string; env: Env; configDir: string; cacheDir?: string; notice: (message: string) => void}): Promise<LogoutResult> {
  const store = await openCredentialStore(options)
  // The saved key contexts of this URL's keys (the stored ones and one set in the environment) go too,
  const keys = [await store.get(storedApiKeyName(options.apiUrl)), await store.get(STORED_API_KEY), options.env['BELLA_BAXTER_API_KEY']]
  const {cacheDir} = options
  // Their offline snapshots too: a user who logs out expects no secrets of theirs left on this machine.
  let snapshots = 0
  for (const keyId of new Set(keys.map(keyIdOf))) {
    if (!keyId || !cacheDir) continue
    keyContextCache(cacheDir, options.apiUrl, keyId).remove()
    snapshots += forgetSnapshots(join(cacheDir, 'snapshots'), options.apiUrl, keyId)
  }
  const removed = (await store.delete(storedApiKeyName(options.apiUrl))) || (await store.delete(STORED_API_KEY))
  if (readUserConfig(options.configDir).loginUrl === options.apiUrl) updateUserConfig(options.configDir, {loginUrl: undefined})
  const stillSet = ['BELLA_BAXTER_API_KEY', 'BELLA_BAXTER_ACCESS_TOKEN'].find((name) => options.env[name]?.trim())
  return {removed, location: store.location, stillSet, snapshots}
}

function keyIdOf(raw: string | undefined): string | undefined {
  try {
    return raw?.trim() ? parseApiKey(raw).keyId : undefined
  } catch {
    return undefined // not a key bella could have used, so nothing was saved for it
  }
}
