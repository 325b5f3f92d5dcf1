/**
 * `bella config get|set|unset|list`: the user config's settable keys as people type them
 * (api-url, project, environment, app), each validated before it is written.
 */
import {didYouMean} from '../did-you-mean.js'
import {usageError} from '../errors.js'
import {validateApiUrl} from './api-url.js'
import {readUserConfig, updateUserConfig, userConfigPath, type UserConfig} from './user-config.js'

type SettableKey = 'apiUrl' | 'project' | 'environment' | 'app'

export const CONFIG_KEYS: Record<string, SettableKey> = {'api-url': 'apiUrl', project: 'project', environment: 'environment', app: 'app'}
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS)

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** The config.json property for a key typed by the user; an unknown key is a usage error with a did-you-mean. */
export function configKey(name: string): SettableKey {
  const key = CONFIG_KEYS[name]
  if (key) return key
  throw usageError(`Unknown config key "${name}"${didYouMean(name, CONFIG_KEY_NAMES)}`, {
    code: 'unknown_config_key',
    suggestions: [`use one of: ${CONFIG_KEY_NAMES.join(', ')}`],
  })
}

/** The value as it will be stored, or a usage error saying what is allowed. */
export function validateConfigValue(name: string, value: string, insecure = false): string {
  const key = configKey(name)
  const text = value.trim()
  if (key === 'apiUrl') return validateApiUrl(text, `the value for ${name}`, insecure)
  if (key === 'app') {
    if (text === '' || text.length > 100 || CONTROL.test(text)) {
      throw usageError(`The value for app must be 1-100 printable characters`, {code: 'invalid_config_value', suggestions: ['bella config set app my-service']})
    }
    return text
  }
  if (!SLUG.test(text)) {
    throw usageError(`The value for ${name} must be a slug or id: letters, digits, '.', '_' or '-' (1-100 characters)`, {
      code: 'invalid_config_value',
      suggestions: [`bella config set ${name} ${name === 'project' ? 'shop' : 'production'}`],
    })
  }
  return text
}

export interface ConfigEntry {
  key: string
  value: string
}

export function listConfig(configDir: string): ConfigEntry[] {
  const config = readUserConfig(configDir)
  return CONFIG_KEY_NAMES.flatMap((name) => {
    const value = config[CONFIG_KEYS[name]!]
    return value === undefined ? [] : [{key: name, value}]
  })
}

export function getConfig(configDir: string, name: string): string | undefined {
  return readUserConfig(configDir)[configKey(name)]
}

/** Validates, then writes config.json atomically (0600); returns the stored value. */
export function setConfig(configDir: string, name: string, value: string, options: {insecure?: boolean} = {}): string {
  const stored = validateConfigValue(name, value, options.insecure)
  updateUserConfig(configDir, {[configKey(name)]: stored} as Partial<UserConfig>)
  return stored
}

/** Resolves false when the key was not set. */
export function unsetConfig(configDir: string, name: string): boolean {
  const key = configKey(name)
  if (readUserConfig(configDir)[key] === undefined) return false
  updateUserConfig(configDir, {[key]: undefined} as Partial<UserConfig>)
  return true
}

export {userConfigPath}
