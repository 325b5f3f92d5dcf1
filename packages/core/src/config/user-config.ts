import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {usageError} from '../errors.js'
import {writePrivateFileAtomic} from './private-files.js'

export type CredentialBackend = 'keychain' | 'file'

/** `<configDir>/config.json`. Unknown keys are kept when bella rewrites the file. */
export interface UserConfig {
  apiUrl?: string
  project?: string
  environment?: string
  app?: string
  /** The API URL of the last `bella login`: used when no other setting names one. */
  loginUrl?: string
  /** Where `bella login` last stored credentials; saves the keychain probe on later runs. */
  credentialStore?: CredentialBackend
}

const STRING_KEYS = ['apiUrl', 'project', 'environment', 'app', 'loginUrl'] as const

export function userConfigPath(configDir: string): string {
  return join(configDir, 'config.json')
}

/**
 * Reads and checks the user config. A missing file is an empty config; a malformed one is a usage
 * error naming the file, because silently ignoring it would apply settings the user did not choose.
 */
export function readUserConfig(configDir: string, shownPath = userConfigPath(configDir)): UserConfig {
  const raw = readRawUserConfig(configDir, shownPath)
  const config: UserConfig = {}
  for (const key of STRING_KEYS) {
    const value = raw[key]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') {
      throw usageError(`${shownPath}: "${key}" must be a string`, {
        code: 'invalid_config',
        suggestions: [`fix or remove "${key}" in ${shownPath}`],
      })
    }
    config[key] = value
  }
  // A stale or hand-edited value only costs a probe, so it is ignored rather than fatal.
  if (raw.credentialStore === 'keychain' || raw.credentialStore === 'file') config.credentialStore = raw.credentialStore
  return config
}

/** Merges `patch` into config.json (keeping keys bella does not know) and writes it atomically, mode 0600. */
export function updateUserConfig(configDir: string, patch: Partial<UserConfig>): void {
  const path = userConfigPath(configDir)
  const merged = {...readRawUserConfig(configDir, path), ...patch}
  writePrivateFileAtomic(path, `${JSON.stringify(merged, null, 2)}\n`)
}

function readRawUserConfig(configDir: string, shownPath: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(userConfigPath(configDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw usageError(`Could not read ${shownPath}: ${(error as Error).message}`, {
      code: 'invalid_config',
      suggestions: [`check the permissions of ${shownPath}`],
      cause: error,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw usageError(`${shownPath} is not valid JSON: ${(error as Error).message}`, {
      code: 'invalid_config',
      suggestions: [`fix the JSON in ${shownPath}, or delete the file`],
      cause: error,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${shownPath} must contain a JSON object`, {
      code: 'invalid_config',
      suggestions: [`fix ${shownPath}, or delete the file`],
    })
  }
  return parsed as Record<string, unknown>
}
