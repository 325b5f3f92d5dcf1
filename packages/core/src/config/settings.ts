import {DEFAULT_API_URL, validateApiUrl} from './api-url.js'
import {resolveTimeout} from './timeout.js'
import {findBellaFile, type BellaFileValues} from './bella-file.js'
import {displayPath, homeFromEnv} from './paths.js'
import type {Env, Resolved} from './types.js'
import {readUserConfigChecked, userConfigPath, type UserConfig} from './user-config.js'
import {quoteText} from '../display.js'
import {usageError} from '../errors.js'

export interface SettingsFlags {
  apiUrl?: string
  project?: string
  environment?: string
  app?: string
  insecure?: boolean
  /** `--timeout`, as typed: checked here so the error can name the flag. */
  timeout?: string
}

export interface ResolveSettingsInput {
  flags: SettingsFlags
  env: Env
  cwd: string
  /** From `configDirFrom(env, os.homedir())`. */
  configDir: string
  /** Problems in `.bella` or config.json that do not stop the command (`file:line: …`). */
  warn?: (message: string) => void
}

export interface ResolvedSettings {
  apiUrl: Resolved<string>
  project?: Resolved<string>
  environment?: Resolved<string>
  app?: Resolved<string>
  insecure: boolean
  /** Seconds a command waits for the API, retries included (--timeout, BELLA_TIMEOUT, 30). */
  timeout: Resolved<number>
  /** The `.bella` file that was consulted, if one was found. */
  bellaFile?: string
}

interface SettingSpec {
  flag: string
  env: string
  bellaKey?: keyof BellaFileValues
  configKey: keyof Omit<UserConfig, 'credentialStore' | 'loginUrl'>
}

const API_URL: SettingSpec = {flag: '--api-url', env: 'BELLA_BAXTER_URL', configKey: 'apiUrl'}
const PROJECT: SettingSpec = {flag: '--project', env: 'BELLA_BAXTER_PROJECT', bellaKey: 'project', configKey: 'project'}
const ENVIRONMENT: SettingSpec = {flag: '--environment', env: 'BELLA_BAXTER_ENV', bellaKey: 'environment', configKey: 'environment'}
const APP: SettingSpec = {flag: '--app', env: 'BELLA_BAXTER_APP_CLIENT', bellaKey: 'app', configKey: 'app'}

/**
 * Resolves each setting independently, first match wins: flag → environment variable → nearest
 * `.bella` (walking up from `cwd`) → `<configDir>/config.json` → default. Empty (or blank)
 * environment variables count as unset; an explicitly empty flag is a usage error (usually an unset shell
 * variable in `-p "$PROJECT"`, which should not silently fall through to another project).
 */
export function resolveSettings(input: ResolveSettingsInput): ResolvedSettings {
  const {flags, env, cwd, configDir} = input
  const home = homeFromEnv(env)
  const bella = findBellaFile(cwd)
  const configShown = displayPath(userConfigPath(configDir), home)
  const checked = readUserConfigChecked(configDir, configShown)
  const config = checked.config
  if (input.warn) {
    const bellaShown = bella && displayPath(bella.path, home)
    for (const problem of bella?.problems ?? []) input.warn(`${bellaShown}:${problem.line}: ${problem.message}`)
    for (const problem of checked.problems) input.warn(`${configShown}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`)
  }
  const insecure = flags.insecure === true

  const pick = (spec: SettingSpec, flagValue: string | undefined): Resolved<string> | undefined => {
    if (flagValue !== undefined) {
      if (flagValue.trim() === '') {
        throw usageError(`${spec.flag} was given an empty value`, {
          code: 'empty_flag',
          suggestions: [`pass a value to ${spec.flag}, or leave the flag out to use ${spec.env} or a .bella file`],
        })
      }
      return {value: flagValue, source: 'flag', origin: spec.flag}
    }
    const fromEnv = env[spec.env]
    if (fromEnv?.trim()) return {value: fromEnv, source: 'env', origin: spec.env}
    const fromFile = spec.bellaKey && bella?.values[spec.bellaKey]
    if (fromFile && bella) return {value: fromFile, source: 'bella-file', origin: displayPath(bella.path, home)}
    const fromConfig = config[spec.configKey]
    if (fromConfig) return {value: fromConfig, source: 'user-config', origin: configShown}
    return undefined
  }

  // API_URL has no bellaKey on purpose: `.bella` is committed to repositories, and a cloned repo
  // must not be able to send the user's signed requests (and receive their secrets) elsewhere.
  // Then the URL the last `bella login` verified its key against, so a login sticks to its server.
  const loggedIn: Resolved<string> | undefined = config.loginUrl ? {value: config.loginUrl, source: 'login', origin: `bella login (${configShown})`} : undefined
  const url = pick(API_URL, flags.apiUrl) ?? loggedIn ?? {value: DEFAULT_API_URL, source: 'default', origin: 'default'}
  const apiUrl = {...url, value: validateApiUrl(url.value, url.origin, insecure)}

  return {
    apiUrl,
    project: pick(PROJECT, flags.project),
    environment: pick(ENVIRONMENT, flags.environment),
    app: headerSafeApp(pick(APP, flags.app)),
    insecure,
    timeout: resolveTimeout(flags.timeout, env),
    bellaFile: bella?.path,
  }
}

/** Printable ASCII or Latin-1: Node refuses anything else in a header, with its own TypeError on every request. */
const HEADER_TEXT = /^[\x20-\x7e\xa0-\xff]+$/

/**
 * An app name is sent as X-App-Client: one a header cannot carry is refused up front, by `subject`
 * (where it came from), rather than by Node on every request. Shared by the CLI and the SDK.
 */
export function checkAppClient(value: string, subject: string): string {
  if (HEADER_TEXT.test(value)) return value
  throw usageError(`${subject} must be printable text (it is sent as the X-App-Client header), not ${quoteText(value, 100)}`, {
    code: 'invalid_app_client',
    suggestions: ['use a plain name such as checkout-api (letters, digits, spaces and punctuation)'],
  })
}

function headerSafeApp(app: Resolved<string> | undefined): Resolved<string> | undefined {
  return app && {...app, value: checkAppClient(app.value, `The app name from ${app.origin}`)}
}
