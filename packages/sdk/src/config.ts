/**
 * A live set of secrets for an app: loaded once, then kept fresh in the background (the version
 * first, the secrets only when it moved). A failed refresh keeps the last good set: a plaintext,
 * tampered or wrongly keyed answer is refused by core exactly as in the CLI, and nothing of it is
 * kept. Names are data: the set is a Map, and what leaves it is a null-prototype object.
 */
import {describeSealed, escapeControls, generalError, isEnvValue, isReservedEnvName, isValidEnvName, quoteName, usageError} from '@bella/core/runtime'
import {openConnection, type Connection} from './connection.js'
import {resolveOptions, type BaxterClientOptions} from './options.js'
import {startRefreshLoop, type RefreshLoop} from './refresh-loop.js'

/** One name a refresh added, changed or removed: the official SDK's `SecretChange`, without its values. */
export interface SecretChange {
  key: string
  kind: 'added' | 'changed' | 'removed'
}

/**
 * The names a refresh added, changed and removed; the values are read with `get`. It is also an
 * array of `{key, kind}`, so a handler written for the official SDK's `SecretChange[]` works
 * (its `oldValue`/`newValue` are never given: values stay in the SDK until read).
 */
export type SecretChanges = SecretChange[] & {
  added: string[]
  changed: string[]
  removed: string[]
}

export interface BellaConfigOptions extends BaxterClientOptions {
  /** Seconds between refreshes (default 60, at least 1); 0 loads once and never refreshes. */
  refreshInterval?: number
  /** The official SDK's name for it, in milliseconds (at least 1000; 0: never). Give one of the two. */
  pollingInterval?: number
  /** Called after a refresh that changed something, with the names only. */
  onUpdate?: (changes: SecretChanges) => void | Promise<void>
  /** Another name for `onUpdate`. */
  onChange?: (changes: SecretChanges) => void | Promise<void>
  /** Called when a refresh fails (the last good set stays), or `onUpdate` throws. Default: one Warning line on stderr. */
  onError?: (error: Error) => void
}

export interface IntoProcessEnvResult {
  /** Names written to process.env. */
  written: string[]
  /** Names not written: not a variable name, reserved (PATH, NODE_OPTIONS, LD_*, …) or a value with a NUL byte. */
  withheld: string[]
}

export const DEFAULT_REFRESH_INTERVAL_SECONDS = 60
export const MIN_REFRESH_INTERVAL_SECONDS = 1
const MAX_REFRESH_INTERVAL_SECONDS = 86_400

export class BellaConfig {
  readonly projectSlug: string
  readonly environmentSlug: string
  #secrets: Map<string, string>
  #version: number
  /** What the version endpoint last said (or the first load), compared whole on every refresh. */
  #seen: {version: number; lastModified: string}
  #loop: RefreshLoop | undefined
  #connection: Connection
  #ownsConnection: boolean
  #options: BellaConfigOptions
  /** The sealed names last reported, so the same ones are not reported on every refresh. */
  #withheld = ''
  /** Names left out of the set held now because their value came sealed, for getOrThrow to say so. */
  #sealed = new Set<string>()

  /** @internal Use createBellaConfig. */
  constructor(init: {connection: Connection; ownsConnection: boolean; project: string; environment: string; secrets: Record<string, string>; version: number; lastModified: string; withheld: string[]; options: BellaConfigOptions; intervalMs: number}) {
    this.projectSlug = init.project
    this.environmentSlug = init.environment
    this.#connection = init.connection
    this.#ownsConnection = init.ownsConnection
    this.#options = init.options
    this.#secrets = new Map(Object.entries(init.secrets))
    this.#version = init.version
    this.#seen = {version: init.version, lastModified: init.lastModified}
    this.#reportWithheld(init.withheld)
    if (init.intervalMs > 0) {
      this.#loop = startRefreshLoop({
        intervalMs: init.intervalMs,
        refresh: () => this.#refresh(),
        onError: (error) => this.#report(error, (message) => `could not refresh ${this.projectSlug}/${this.environmentSlug}, the last good secrets stay in use: ${message}`),
        retryAfterMs: () => this.#connection.lastRetryAfterMs(),
      })
    }
  }

  /** The version of the set held now. */
  get version(): number {
    return this.#version
  }

  get(key: string): string | undefined {
    return this.#secrets.get(key)
  }

  getOrThrow(key: string): string {
    const value = this.#secrets.get(key)
    if (value === undefined && this.#sealed.has(key)) {
      throw generalError(`Secret ${quoteName(key, 200)} in ${this.projectSlug}/${this.environmentSlug} came still sealed at rest (bellabaxter:v…), which the server should have decrypted, so it was left out`, {
        code: 'secret_sealed',
        suggestions: ["ask the server's operator to check it; bella-sdk never passes on a sealed value"],
      })
    }
    if (value === undefined) {
      throw generalError(`Secret ${quoteName(key, 200)} is not in ${this.projectSlug}/${this.environmentSlug}`, {
        code: 'secret_not_found',
        suggestions: ['check the name (names are case-sensitive), or add it: bella secrets set'],
      })
    }
    return value
  }

  has(key: string): boolean {
    return this.#secrets.has(key)
  }

  /** A copy of the whole set, as a null-prototype object. */
  getAll(): Record<string, string> {
    const all: Record<string, string> = Object.create(null)
    for (const [name, value] of this.#secrets) all[name] = value
    return all
  }

  /**
   * Writes the set into process.env (for code that reads it there), except names that are not
   * variable names or that change how programs load code (the CLI withholds the same). Not kept
   * up to date: call it again from onUpdate if that is needed.
   */
  intoProcessEnv(): IntoProcessEnvResult {
    const written: string[] = []
    const withheld: string[] = []
    for (const [name, value] of this.#secrets) {
      if (!isValidEnvName(name) || isReservedEnvName(name) || !isEnvValue(value)) {
        withheld.push(name)
        continue
      }
      process.env[name] = value
      written.push(name)
    }
    return {written, withheld}
  }

  /** Stops refreshing and ends any request in flight: no timer or socket is left. */
  destroy(): void {
    this.#loop?.stop()
    this.#loop = undefined
    if (this.#ownsConnection) this.#connection.close()
  }

  close(): void {
    this.destroy()
  }

  async #refresh(): Promise<void> {
    const {project, environment} = {project: this.projectSlug, environment: this.environmentSlug}
    // Version and lastModified, as the CLI's watch compares them: after a server reset or restore an
    // edit can land on a version number already seen, and only lastModified tells.
    const {version, lastModified} = await this.#connection.getSecretsVersion(project, environment, {retry: false})
    if (version === this.#seen.version && lastModified === this.#seen.lastModified) return
    const fetched = await this.#connection.getAllSecrets(project, environment, {retry: false})
    if (!this.#loop) return
    const changes = diff(this.#secrets, fetched.secrets)
    this.#secrets = new Map(Object.entries(fetched.secrets))
    this.#version = fetched.version
    this.#seen = {version, lastModified}
    this.#reportWithheld(fetched.withheld)
    if (changes.added.length + changes.changed.length + changes.removed.length > 0) this.#notify(changes)
  }

  #notify(changes: SecretChanges): void {
    const handler = this.#options.onUpdate ?? this.#options.onChange
    if (!handler) return
    const failed = (error: unknown) => this.#report(error, (message) => `the onUpdate handler failed: ${message}`)
    try {
      const result = handler(changes)
      if (result && typeof result.then === 'function') result.then(undefined, failed)
    } catch (error) {
      failed(error)
    }
  }

  /** Sealed values are left out (core never passes one on); the app hears of it once per set of names. */
  #reportWithheld(names: string[]): void {
    this.#sealed = new Set(names)
    const key = JSON.stringify(names)
    if (key === this.#withheld) return
    this.#withheld = key
    if (names.length === 0) return
    const message = `${this.projectSlug}/${this.environmentSlug}: ${describeSealed(names.map((name) => quoteName(name, 200)))}`
    this.#report(generalError(message, {code: 'sealed_values'}), (text) => text)
  }

  /** To onError, else one Warning line on stderr (`line` words it; the first line of the message only). */
  #report(error: unknown, line: (message: string) => string): void {
    const reported = error instanceof Error ? error : new Error(String(error))
    const onError = this.#options.onError
    if (onError) {
      // The app's own handler failing (or rejecting, if async) must not become an unhandled
      // rejection, which ends a Node app, nor count as a failed refresh.
      try {
        const result: unknown = onError(reported)
        if (result instanceof Promise) result.catch(() => undefined)
      } catch {
        // Nowhere left to report it.
      }
      return
    }
    // Escaped: the message may quote the server's words, which must not drive the terminal or forge log lines.
    process.stderr.write(`Warning: bella-sdk: ${escapeControls(line(reported.message.split('\n')[0] ?? ''))}\n`)
  }
}

function diff(before: Map<string, string>, after: Record<string, string>): SecretChanges {
  const names = {added: [] as string[], changed: [] as string[], removed: [] as string[]}
  const next = new Map(Object.entries(after))
  for (const [name, value] of next) {
    if (!before.has(name)) names.added.push(name)
    else if (before.get(name) !== value) names.changed.push(name)
  }
  for (const name of before.keys()) if (!next.has(name)) names.removed.push(name)
  const list = (['added', 'changed', 'removed'] as const).flatMap((kind) => names[kind].map((key): SecretChange => ({key, kind})))
  return Object.assign(list, names)
}

export function refreshIntervalMs(options: {refreshInterval?: number; pollingInterval?: number}): number {
  const {refreshInterval, pollingInterval} = options
  if (refreshInterval !== undefined && pollingInterval !== undefined) {
    throw usageError('Both refreshInterval (seconds) and pollingInterval (milliseconds) were given', {
      code: 'invalid_refresh_interval',
      suggestions: ['keep one of them: refreshInterval is this SDK\'s, pollingInterval the official SDK\'s name'],
    })
  }
  if (pollingInterval !== undefined) {
    if (typeof pollingInterval !== 'number' || !(pollingInterval === 0 || pollingInterval >= MIN_REFRESH_INTERVAL_SECONDS * 1000) || pollingInterval > MAX_REFRESH_INTERVAL_SECONDS * 1000) {
      throw usageError(`pollingInterval must be a number of milliseconds from ${MIN_REFRESH_INTERVAL_SECONDS * 1000} to ${MAX_REFRESH_INTERVAL_SECONDS * 1000}, or 0 for no refresh`, {
        code: 'invalid_refresh_interval',
        suggestions: [`refreshInterval: ${DEFAULT_REFRESH_INTERVAL_SECONDS} (seconds) checks for changes every minute`],
      })
    }
    return Math.round(pollingInterval)
  }
  const seconds = refreshInterval
  if (seconds === undefined) return DEFAULT_REFRESH_INTERVAL_SECONDS * 1000
  if (seconds === 0) return 0
  if (typeof seconds !== 'number' || !(seconds >= MIN_REFRESH_INTERVAL_SECONDS) || seconds > MAX_REFRESH_INTERVAL_SECONDS) {
    throw usageError(`refreshInterval must be a number of seconds from ${MIN_REFRESH_INTERVAL_SECONDS} to ${MAX_REFRESH_INTERVAL_SECONDS}, or 0 for no refresh`, {
      code: 'invalid_refresh_interval',
      suggestions: [`refreshInterval: ${DEFAULT_REFRESH_INTERVAL_SECONDS} checks for changes every minute`],
    })
  }
  return seconds * 1000
}

/** @internal Loads the set over `connection` and starts refreshing it. */
export async function loadBellaConfig(connection: Connection, ownsConnection: boolean, target: {project?: string; environment?: string}, options: BellaConfigOptions): Promise<BellaConfig> {
  const intervalMs = refreshIntervalMs(options)
  let {project, environment} = target
  const byKey = connection.credentialKind === 'api-key'
  if ((!project || !environment) && byKey) {
    // Only what is missing comes from the key: a project-level key names no environment, and the app's own choice is kept.
    const scope = await connection.keyScope()
    project ??= scope.projectSlug
    environment ??= scope.environmentSlug
  }
  if (!project || !environment) {
    const missing = !project ? 'project' : 'environment'
    const why = byKey ? 'the API key is not scoped to one (GET /api/v1/keys/me names none)' : 'an access token is not scoped to one'
    throw usageError(`No ${missing} to read: ${why}`, {
      code: 'no_target',
      suggestions: [`pass the ${missing}Slug option, or set ${missing === 'project' ? 'BELLA_BAXTER_PROJECT' : 'BELLA_BAXTER_ENV'}`],
    })
  }
  const first = await connection.getAllSecrets(project, environment)
  return new BellaConfig({connection, ownsConnection, project, environment, secrets: first.secrets, version: first.version, lastModified: first.lastModified, withheld: first.withheld, options, intervalMs})
}

/**
 * Loads the environment's secrets (a failure here is thrown: the app decides), then refreshes them
 * every `refreshInterval` seconds in the background until `destroy()`.
 */
export async function createBellaConfig(options: BellaConfigOptions = {}): Promise<BellaConfig> {
  refreshIntervalMs(options)
  const resolved = await resolveOptions(options)
  const connection = await openConnection(resolved)
  try {
    return await loadBellaConfig(connection, true, {project: resolved.project, environment: resolved.environment}, options)
  } catch (error) {
    connection.close()
    throw error
  }
}
