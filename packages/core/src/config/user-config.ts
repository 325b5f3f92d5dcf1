import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {closestName} from '../did-you-mean.js'
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
  return checkUserConfig(readRawUserConfig(configDir, shownPath).raw, shownPath)
}

export interface UserConfigProblem {
  /** 1-based line of the key in the file, when it could be found. */
  line?: number
  /** The key path, such as `projct` or `api.url`. */
  key: string
  message: string
}

const KNOWN_KEYS = [...STRING_KEYS, 'credentialStore']
/** What people type (`bella config set api-url`) → the property config.json uses. */
const TYPED_KEYS: Record<string, string> = {'api-url': 'apiUrl', api_url: 'apiUrl', url: 'apiUrl', env: 'environment', 'login-url': 'loginUrl'}

/** The config plus the keys bella does not know (each a warning with the key path and a did-you-mean). */
export function readUserConfigChecked(configDir: string, shownPath = userConfigPath(configDir)): {config: UserConfig; problems: UserConfigProblem[]} {
  const {raw, text} = readRawUserConfig(configDir, shownPath)
  const config = checkUserConfig(raw, shownPath)
  const lines = text.split('\n')
  const problems = Object.keys(raw)
    .filter((key) => !KNOWN_KEYS.includes(key))
    .map((key) => {
      const near = TYPED_KEYS[key.toLowerCase()] ?? closestName(key, KNOWN_KEYS)
      const index = lines.findIndex((line) => line.includes(JSON.stringify(key)))
      const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)
      return {
        ...(index >= 0 ? {line: index + 1} : {}),
        key,
        message: `unknown key ${shown} is ignored${near ? ` (did you mean "${near}"?)` : ''}; bella config set/unset edits this file for you`,
      }
    })
  return {config, problems}
}

function checkUserConfig(raw: Record<string, unknown>, shownPath: string): UserConfig {
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
  const merged = {...readRawUserConfig(configDir, path).raw, ...patch}
  writePrivateFileAtomic(path, `${JSON.stringify(merged, null, 2)}\n`)
}

function readRawUserConfig(configDir: string, shownPath: string): {raw: Record<string, unknown>; text: string} {
  let text: string
  try {
    text = readFileSync(userConfigPath(configDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {raw: {}, text: ''}
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
  return {raw: parsed as Record<string, unknown>, text}
}
