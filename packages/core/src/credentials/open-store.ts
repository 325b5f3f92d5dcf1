import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {generalError, usageError} from '../errors.js'
import {displayPath, homeFromEnv} from '../config/paths.js'
import type {Env} from '../config/types.js'
import {readUserConfig, updateUserConfig, userConfigPath, type CredentialBackend} from '../config/user-config.js'
import {openFileStore} from './file-store.js'
import {
  KEYCHAIN_LOCATION,
  OPERATION_TIMEOUT_MS,
  PROBE_TIMEOUT_MS,
  createKeychainStore,
  loadNapiKeyring,
  probeKeychain,
  reasonOf,
  type KeyringModule,
} from './keychain-store.js'
import type {CredentialStore} from './store.js'

export interface OpenCredentialStoreOptions {
  env: Env
  /** From `configDirFrom(env, os.homedir())`; holds config.json and the fallback credentials.json. */
  configDir: string
  /** One-line notices for stderr (fallback chosen, permissions tightened); never contains a secret. */
  notice?: (message: string) => void
  /** Tests inject a fake; the default imports `@napi-rs/keyring`. */
  loadKeyring?: () => Promise<KeyringModule>
  probeTimeoutMs?: number
  operationTimeoutMs?: number
}

export function credentialsFilePath(configDir: string): string {
  return join(configDir, 'credentials.json')
}

/**
 * Picks where credentials live:
 * 1. `BELLA_CREDENTIAL_STORE=file|keychain` forces a backend (keychain: an error if unusable).
 * 2. Else the backend recorded in config.json by the last `set`, skipping the 20–40 ms probe;
 *    a recorded keychain that fails later falls back to the file, with a notice.
 * 3. Else an existing credentials.json (that is where stored credentials are).
 * 4. Else the keychain if a write/read/delete probe succeeds, otherwise the file; the first
 *    write that creates the file then says once where credentials went and why.
 * Every `set` records the backend that took the value, so later runs read from the same place.
 */
export async function openCredentialStore(options: OpenCredentialStoreOptions): Promise<CredentialStore> {
  const {env, configDir} = options
  const notice = options.notice ?? (() => {})
  const home = homeFromEnv(env)
  const filePath = credentialsFilePath(configDir)
  const shownFile = displayPath(filePath, home)
  const shownConfig = displayPath(userConfigPath(configDir), home)
  const openFile = (onCreate?: () => void) => openFileStore({path: filePath, shownPath: shownFile, notice, onCreate})
  const keychain = async () =>
    tryKeychain(options.loadKeyring ?? loadNapiKeyring, options.probeTimeoutMs ?? PROBE_TIMEOUT_MS)
  const operationMs = options.operationTimeoutMs ?? OPERATION_TIMEOUT_MS

  const forced = forcedBackend(env)
  const recorded = forced ? undefined : readUserConfig(configDir, shownConfig).credentialStore
  const recording = (store: CredentialStore) =>
    recordOnSet(store, recorded, (backend) => {
      try {
        updateUserConfig(configDir, {credentialStore: backend})
      } catch (error) {
        notice(`Could not record the credential store in ${shownConfig} (${reasonOf(error)}); bella will probe again next time.`)
      }
    })

  if (forced === 'file') return recording(openFile())
  if (forced === 'keychain') {
    const result = await keychain()
    if ('reason' in result) {
      throw generalError(`BELLA_CREDENTIAL_STORE=keychain, but the OS keychain is not usable: ${result.reason}`, {
        code: 'keychain_unavailable',
        suggestions: ['unlock or start the OS keychain (secret service)', 'or set BELLA_CREDENTIAL_STORE=file'],
      })
    }
    return recording(createKeychainStore(result.keyring, operationMs))
  }
  if (recorded === 'file') return recording(openFile())
  if (recorded === 'keychain') {
    return recording(
      new KeychainWithFallback(options.loadKeyring ?? loadNapiKeyring, operationMs, openFile, (reason) =>
        notice(
          `The OS keychain recorded in ${shownConfig} is not usable now (${reason}); using ${shownFile} (mode 0600) instead.`,
        ),
      ),
    )
  }
  if (existsSync(filePath)) return recording(openFile())

  const result = await keychain()
  if ('keyring' in result) return recording(createKeychainStore(result.keyring, operationMs))
  return recording(
    openFile(() => notice(`No usable OS keychain (${result.reason}); storing credentials in ${shownFile} (mode 0600).`)),
  )
}

function forcedBackend(env: Env): CredentialBackend | undefined {
  const value = env.BELLA_CREDENTIAL_STORE?.trim().toLowerCase()
  if (!value) return undefined
  if (value === 'file' || value === 'keychain') return value
  throw usageError(`BELLA_CREDENTIAL_STORE must be "keychain" or "file", not "${env.BELLA_CREDENTIAL_STORE}"`, {
    code: 'invalid_credential_store',
    suggestions: ['set BELLA_CREDENTIAL_STORE=file or =keychain, or unset it to let bella choose'],
  })
}

async function tryKeychain(
  load: () => Promise<KeyringModule>,
  timeoutMs: number,
): Promise<{keyring: KeyringModule} | {reason: string}> {
  let keyring: KeyringModule
  try {
    keyring = await load()
  } catch (error) {
    return {reason: `the keychain module could not be loaded: ${reasonOf(error)}`}
  }
  try {
    await probeKeychain(keyring, timeoutMs)
    return {keyring}
  } catch (error) {
    return {reason: reasonOf(error)}
  }
}

/** Wraps `store` so that a successful `set` records its backend in config.json when that changes it. */
function recordOnSet(
  store: CredentialStore,
  recorded: CredentialBackend | undefined,
  record: (backend: CredentialBackend) => void,
): CredentialStore {
  let current = recorded
  return {
    get backend() {
      return store.backend
    },
    get location() {
      return store.location
    },
    get: (name) => store.get(name),
    delete: (name) => store.delete(name),
    async set(name, value) {
      await store.set(name, value)
      if (current !== store.backend) {
        current = store.backend
        record(store.backend)
      }
    },
  }
}

/**
 * The keychain recorded by an earlier run, without re-probing. If it has become unusable (module
 * gone, keyring locked with no display), switch to the file for the rest of this run rather than
 * fail: reads then find nothing and the user is told to log in again, which works.
 */
class KeychainWithFallback implements CredentialStore {
  private active: CredentialStore | undefined

  constructor(
    private readonly load: () => Promise<KeyringModule>,
    private readonly operationMs: number,
    private readonly openFile: () => CredentialStore,
    private readonly announce: (reason: string) => void,
  ) {}

  get backend() {
    return this.active?.backend ?? 'keychain'
  }

  get location() {
    return this.active?.location ?? KEYCHAIN_LOCATION
  }

  get(name: string) {
    return this.use((store) => store.get(name))
  }

  set(name: string, value: string) {
    return this.use((store) => store.set(name, value))
  }

  delete(name: string) {
    return this.use((store) => store.delete(name))
  }

  private async use<T>(op: (store: CredentialStore) => Promise<T>): Promise<T> {
    if (!this.active) {
      try {
        this.active = createKeychainStore(await this.load(), this.operationMs)
      } catch (error) {
        return op(this.fallBack(`the keychain module could not be loaded: ${reasonOf(error)}`))
      }
    }
    if (this.active.backend === 'file') return op(this.active)
    try {
      return await op(this.active)
    } catch (error) {
      return op(this.fallBack(reasonOf((error as {cause?: unknown}).cause ?? error)))
    }
  }

  private fallBack(reason: string): CredentialStore {
    this.announce(reason)
    this.active = this.openFile()
    return this.active
  }
}
