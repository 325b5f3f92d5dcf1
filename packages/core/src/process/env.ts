/**
 * Building the environment a child process receives (`bella run`, `bella exec`).
 * Pure: no `process.env` access here — the caller passes the inherited environment in.
 */
import {quoteName} from '../display.js'

/**
 * bella's own credentials; stripped from the inherited environment unless `passCredentials`. The
 * ZKE device key decrypts every secrets response sent to it, so it is a credential like the key.
 */
export const CREDENTIAL_ENV_NAMES: readonly string[] = [
  'BELLA_BAXTER_API_KEY',
  'BELLA_BAXTER_ACCESS_TOKEN',
  'BELLA_BAXTER_PRIVATE_KEY',
  'BELLA_API_KEY', // deprecated spelling, still honoured by older SDKs
]

/**
 * Names that change how the child *loads code* (contract §2.1 "Reserved names", plus a few the
 * contract's list misses: glibc's tunables, Node's extra CA file, the shells' `ENV` start-up file
 * and git's ssh command all run or trust what the variable names). Compared
 * case-insensitively: on some platforms (Windows, some loaders) the lookup is case-insensitive, and
 * a secret `path` next to `PATH` is confusing at best.
 */
export const RESERVED_ENV_NAMES: readonly string[] = [
  'PATH', 'PATHEXT', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP',
  'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH', 'DOTNET_STARTUP_HOOKS', 'DOTNET_ADDITIONAL_DEPS',
  'CORECLR_ENABLE_PROFILING', 'COR_ENABLE_PROFILING', 'PHPRC', 'PHP_INI_SCAN_DIR', 'LUA_INIT',
  'LUA_PATH', 'LUA_CPATH', 'GCONV_PATH', 'BASH_ENV', 'ZDOTDIR', 'PROMPT_COMMAND', 'SHELLOPTS', 'BASHOPTS',
  'GLIBC_TUNABLES', 'NODE_EXTRA_CA_CERTS', 'ENV', 'GIT_SSH_COMMAND',
]

export const RESERVED_ENV_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'BASH_FUNC_', 'CORECLR_PROFILER', 'COR_PROFILER']

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const reservedExact = new Set(RESERVED_ENV_NAMES)
const credentialNames = new Set(CREDENTIAL_ENV_NAMES.map((n) => n.toUpperCase()))

export function isValidEnvName(name: string): boolean {
  return VALID_NAME.test(name)
}

/** True for a loader-hijacking name (case-insensitive) or one of bella's credential names. */
export function isReservedEnvName(name: string): boolean {
  const upper = name.toUpperCase()
  if (reservedExact.has(upper) || credentialNames.has(upper)) return true
  return RESERVED_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix))
}

/**
 * Why a secret was not injected: a name that is not a variable name, a reserved name, a value no
 * environment can hold (execve's strings end at the first NUL byte), or a value still sealed at
 * rest (`bellabaxter:v1:…`, contract §3.7: the server serves values decrypted, so it is an error).
 */
export type WithheldReason = 'invalid-name' | 'reserved' | 'nul-byte' | 'sealed'

const SEALED = /^bellabaxter:v\d+:/

/** True for a value sealed at rest (`bellabaxter:v1:`, `bellabaxter:v2:`, …), which is never a secret's value. */
export function isSealedValue(value: string): boolean {
  return SEALED.test(value)
}

/** True when `value` can be an environment variable's value. */
export function isEnvValue(value: string): boolean {
  return !value.includes('\0')
}

export interface WithheldSecret {
  name: string
  reason: WithheldReason
}

export interface BuildChildEnvOptions {
  /** The environment bella itself received (usually `process.env`); `undefined` values are dropped. */
  inherited: Readonly<Record<string, string | undefined>>
  /** The secrets to overlay; they win over inherited variables of the same (case-sensitive) name. */
  secrets: Readonly<Record<string, string>>
  /** Keep bella's own credentials (`BELLA_BAXTER_API_KEY`, …) in the inherited part (`--pass-credentials`). */
  passCredentials: boolean
  /** Inject reserved names anyway (`--allow-reserved-env`). Invalid names are never injected. */
  allowReserved: boolean
  /** Reserved names let through one by one (compared case-insensitively), e.g. for `bella exec`. */
  allowNames?: readonly string[]
}

export interface ChildEnv {
  env: Record<string, string>
  /** Secrets not injected, in input order. Names only: the caller may print them, never values. */
  withheld: WithheldSecret[]
}

export function buildChildEnv(options: BuildChildEnvOptions): ChildEnv {
  // A Map, turned into an object by fromEntries: names are data, and an assignment `env[name]`
  // would turn a variable named `__proto__` into a prototype change and lose it.
  const env = new Map<string, string>()
  for (const [name, value] of Object.entries(options.inherited)) {
    if (value === undefined) continue
    // Only exact names: the child of a parent with `bella_baxter_api_key` did not get it from bella.
    if (!options.passCredentials && CREDENTIAL_ENV_NAMES.includes(name)) continue
    env.set(name, value)
  }

  const allowed = new Set((options.allowNames ?? []).map((n) => n.toUpperCase()))
  const withheld: WithheldSecret[] = []
  for (const [name, value] of Object.entries(options.secrets)) {
    if (!isValidEnvName(name)) {
      withheld.push({name, reason: 'invalid-name'})
      continue
    }

    if (isReservedEnvName(name) && !options.allowReserved && !allowed.has(name.toUpperCase())) {
      withheld.push({name, reason: 'reserved'})
      continue
    }

    if (isSealedValue(value)) {
      withheld.push({name, reason: 'sealed'})
      continue
    }

    if (!isEnvValue(value)) {
      withheld.push({name, reason: 'nul-byte'})
      continue
    }

    env.set(name, value)
  }

  return {env: Object.fromEntries(env), withheld}
}

export interface DescribeWithheldOptions {
  /** The flag that lets reserved names through; named in the hint. */
  allowFlag?: string
}

/**
 * One warning line for the caller to print on stderr, or `undefined` when nothing was withheld.
 * Names are quoted by quoteName when they are not plain identifiers (control characters escaped),
 * so a hostile name (newlines, escape sequences) cannot forge output on the user's terminal. Values are never part of the input.
 */
export function describeWithheld(
  withheld: readonly WithheldSecret[],
  options: DescribeWithheldOptions = {},
): string | undefined {
  if (withheld.length === 0) return undefined
  const show = (name: string) => quoteName(name, 200)
  const reserved = withheld.filter((w) => w.reason === 'reserved').map((w) => show(w.name))
  const invalid = withheld.filter((w) => w.reason === 'invalid-name').map((w) => show(w.name))
  const nul = withheld.filter((w) => w.reason === 'nul-byte').map((w) => show(w.name))
  const sealed = withheld.filter((w) => w.reason === 'sealed').map((w) => show(w.name))
  const parts: string[] = []
  if (reserved.length > 0) {
    parts.push(
      `${plural(reserved.length, 'secret')} withheld because ${reserved.length === 1 ? 'its name is' : 'their names are'} ` +
        `reserved (they would change how the program loads code, or are bella's own credentials): ${reserved.join(', ')}. ` +
        `Pass ${options.allowFlag ?? '--allow-reserved-env'} to inject them anyway.`,
    )
  }

  if (invalid.length > 0) {
    parts.push(
      `${plural(invalid.length, 'secret')} withheld because ${invalid.length === 1 ? 'its name is not a valid' : 'their names are not valid'} ` +
        `environment variable ${invalid.length === 1 ? 'name' : 'names'} (letters, digits and _, not starting with a digit): ` +
        `${invalid.join(', ')}. Rename ${invalid.length === 1 ? 'it' : 'them'} in Bella Baxter to pass ${invalid.length === 1 ? 'it' : 'them'} as environment variables.`,
    )
  }

  if (sealed.length > 0) parts.push(describeSealed(sealed))

  if (nul.length > 0) {
    parts.push(
      `${plural(nul.length, 'secret')} withheld because ${nul.length === 1 ? 'its value contains' : 'their values contain'} a NUL byte, ` +
        `which an environment variable cannot hold: ${nul.join(', ')}. ` +
        `Remove the NUL from ${nul.length === 1 ? 'the value' : 'the values'} in Bella Baxter, or have the program read ${nul.length === 1 ? 'it' : 'them'} from a file \`bella agent\` writes (json sink).`,
    )
  }

  return parts.join(' ')
}

/** The warning for secrets whose value came sealed (`names` already quoted where needed). */
export function describeSealed(names: readonly string[]): string {
  return (
    `${plural(names.length, 'secret')} withheld because ${names.length === 1 ? 'its value is' : 'their values are'} still sealed ` +
    `(bellabaxter:v…), which the server should have decrypted: ${names.join(', ')}. Ask the server's operator to check ` +
    `${names.length === 1 ? 'it' : 'them'}; bella never passes on a sealed value.`
  )
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
