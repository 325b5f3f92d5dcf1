import {randomBytes} from 'node:crypto'
import {generalError} from '../errors.js'
import type {CredentialStore} from './store.js'

/** The subset of `@napi-rs/keyring` bella uses; tests inject a fake with this shape. */
export interface KeyringEntry {
  setPassword(password: string, signal?: AbortSignal | null): Promise<void>
  getPassword(signal?: AbortSignal | null): Promise<string | null>
  deleteCredential(signal?: AbortSignal | null): Promise<boolean>
}

export interface KeyringModule {
  AsyncEntry: new (service: string, username: string) => KeyringEntry
}

export const KEYCHAIN_SERVICE = 'bella'
export const KEYCHAIN_LOCATION = `OS keychain (service "${KEYCHAIN_SERVICE}")`
const PROBE_NAME = 'bella-probe'
/** Per step of the probe: a healthy keychain answers in milliseconds. */
export const PROBE_TIMEOUT_MS = 2000
/** Per real operation: long enough for the user to answer an OS unlock or access prompt. */
export const OPERATION_TIMEOUT_MS = 60_000

let keyringImporter: () => Promise<unknown> = () => import('@napi-rs/keyring')

/**
 * Replaces how the addon module is found. The single binary cannot import packages, so it loads
 * the addon from a node_modules folder beside the executable instead.
 */
export function setKeyringImporter(importer: () => Promise<unknown>): void {
  keyringImporter = importer
}

/** Loads the native addon only when a command actually needs the keychain (it is an optional dependency). */
export async function loadNapiKeyring(): Promise<KeyringModule> {
  const mod = (await keyringImporter()) as Partial<KeyringModule> & {default?: KeyringModule}
  return mod.AsyncEntry ? (mod as KeyringModule) : (mod.default as KeyringModule)
}

/**
 * Proves the keychain can write, read back and delete, each step under `timeoutMs`. Reads alone
 * prove nothing: without a secret service, `getPassword` resolves null while `setPassword` throws.
 * Throws an Error whose message is the reason; it never contains a stored value.
 */
export async function probeKeychain(keyring: KeyringModule, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const entry = new keyring.AsyncEntry(KEYCHAIN_SERVICE, PROBE_NAME)
  const token = randomBytes(8).toString('hex')
  await withTimeout('writing', timeoutMs, (signal) => entry.setPassword(token, signal))
  try {
    const read = await withTimeout('reading back', timeoutMs, (signal) => entry.getPassword(signal))
    if (read !== token) throw new Error('a value written to it could not be read back')
  } finally {
    await withTimeout('deleting', timeoutMs, (signal) => entry.deleteCredential(signal))
  }
}

export function createKeychainStore(keyring: KeyringModule, timeoutMs = OPERATION_TIMEOUT_MS): CredentialStore {
  const run = async <T>(verb: string, name: string, op: (entry: KeyringEntry, signal: AbortSignal) => Promise<T>) => {
    try {
      const entry = new keyring.AsyncEntry(KEYCHAIN_SERVICE, name)
      return await withTimeout('the operation', timeoutMs, (signal) => op(entry, signal))
    } catch (error) {
      throw generalError(`Could not ${verb} the credential "${name}" in the OS keychain: ${reasonOf(error)}`, {
        code: 'keychain_failed',
        suggestions: ['unlock the keychain, or set BELLA_CREDENTIAL_STORE=file to keep credentials in a file'],
        cause: error,
      })
    }
  }
  return {
    backend: 'keychain',
    location: KEYCHAIN_LOCATION,
    async get(name) {
      return (await run('read', name, (entry, signal) => entry.getPassword(signal))) ?? undefined
    },
    async set(name, value) {
      await run('store', name, (entry, signal) => entry.setPassword(value, signal))
    },
    async delete(name) {
      return run('delete', name, (entry, signal) => entry.deleteCredential(signal))
    },
  }
}

/**
 * Races `op` against a timer as well as passing it an AbortSignal: the addon honours the signal
 * only before its work starts, and a hung secret-service call must not hang the command.
 */
async function withTimeout<T>(what: string, ms: number, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new Error(`${what} timed out after ${ms} ms`))
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([op(controller.signal), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A one-line reason from whatever the addon threw. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]?.trim() || 'unknown error'
}
