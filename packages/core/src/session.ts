/**
 * A command's view of "who am I talking to, as whom, about what": resolved settings, credentials,
 * and the API client built from them. Commands build the input from flags and process.env;
 * everything below works on that resolved input only.
 */
import {createApiClient, type ApiClient, type ApiCredentials, type RetryNotice, type Waiting} from './api/client.js'
import {getEnvironment, getKeyContext} from './api/endpoints.js'
import type {KeyContext} from './api/types.js'
import {keyContextCache, type KeyContextCache} from './config/key-context-cache.js'
import {resolveSettings, type ResolvedSettings, type SettingsFlags} from './config/settings.js'
import type {Env, Resolved} from './config/types.js'
import {openCredentialStore} from './credentials/open-store.js'
import {resolveCredentials, resolveDeviceKey, type ResolvedCredentials} from './credentials/resolve-credentials.js'
import {parseApiKey} from './crypto/api-key.js'
import {loadDeviceKey} from './crypto/e2ee.js'
import {authError, generalError, isBellaError, usageError} from './errors.js'
import {renewingApiClient, resolveWorkloadCredentials} from './workload/index.js'

export interface SessionInput {
  flags: SettingsFlags
  env: Env
  cwd: string
  configDir: string
  /** The user cache folder (`~/.cache/bella`): with it, the API key's context is kept there for an hour. */
  cacheDir?: string
  /** `--verbose` detail (printed as `debug: …`); nothing when not verbose. */
  debug?: (message: string) => void
  /** One-off notices (credential store fallback, …), printed on stderr by the caller. */
  notice?: (message: string) => void
  /** Problems that do not stop the command (a `.bella` line bella skips, …), printed on stderr. */
  warn?: (message: string) => void
  onRetry?: (notice: RetryNotice) => void
  timeoutMs?: number
  /** A "waiting for <host>…" line while an answer is slow (at a terminal only). */
  waiting?: Waiting
}

export interface Session {
  settings: ResolvedSettings
  credentials: ResolvedCredentials
  api: ApiClient
  /** The saved keys/me answer for this API URL and key (API-key credentials with a cache folder only). */
  keyContextCache?: KeyContextCache
  debug?: (message: string) => void
}

export async function openSession(input: SessionInput): Promise<Session> {
  const settings = resolveSettings(input)
  const credentials =
    (await resolveCredentials({
      env: input.env,
      store: () => openCredentialStore({env: input.env, configDir: input.configDir, notice: input.notice}),
      apiUrl: settings.apiUrl.value,
    })) ??
    // Only when nothing is configured (contract §1.9): GitHub Actions / Kubernetes OIDC → short-lived key.
    (await resolveWorkloadCredentials({env: input.env, settings, notice: input.notice, onRetry: input.onRetry, timeoutMs: input.timeoutMs}))
  if (!credentials) {
    throw authError('Not authenticated: no API key or access token is configured', {
      code: 'not_authenticated',
      suggestions: [
        'set BELLA_BAXTER_API_KEY=bax-… in the environment (CI, containers)',
        'or store a key once with `bella login --api-key <key>` (or `--api-key -` to read it from stdin)',
      ],
    })
  }
  const deviceKey = resolveDeviceKey(input.env)
  const device = deviceKey ? loadDeviceKey(deviceKey.value, deviceKey.origin) : undefined
  const clientFor = (current: ResolvedCredentials) =>
    createApiClient({
      baseUrl: settings.apiUrl.value,
      credentials: toApiCredentials(current),
      appClient: settings.app?.value,
      deviceKey: device,
      onRetry: input.onRetry,
      timeoutMs: input.timeoutMs,
      deadlineMs: settings.timeout.value * 1000,
      deadlineHint: deadlineHint(settings.timeout),
      waiting: input.waiting,
    })
  // A workload-identity key is renewed before it expires; any other client is returned as built.
  const api = renewingApiClient(credentials, clientFor)
  const cache =
    input.cacheDir && credentials.kind === 'api-key'
      ? keyContextCache(input.cacheDir, settings.apiUrl.value, parseApiKey(credentials.raw, credentials.origin).keyId)
      : undefined
  return {settings, credentials, api, ...(cache ? {keyContextCache: cache} : {}), ...(input.debug ? {debug: input.debug} : {})}
}

/** What the deadline error suggests, naming where the current limit came from. */
export function deadlineHint(timeout: Resolved<number>): string {
  const from = timeout.source === 'default' ? 'the default' : timeout.origin
  return `wait longer with --timeout <seconds> or BELLA_TIMEOUT (now ${timeout.value} s, from ${from})`
}

export function toApiCredentials(credentials: ResolvedCredentials): ApiCredentials {
  return credentials.kind === 'api-key'
    ? {kind: 'api-key', key: parseApiKey(credentials.raw, credentials.origin), origin: credentials.origin}
    : {kind: 'bearer', token: credentials.token, origin: credentials.origin}
}

export interface Target {
  project: Resolved<string>
  environment: Resolved<string>
  /** Present when keys/me was asked (an API key with project or environment left open), or its saved answer used. */
  keyContext?: KeyContext
  /** The key context came from the cache, not from a request just made. */
  fromCache?: boolean
}

const KEY_CONTEXT_ORIGIN = 'GET /api/v1/keys/me'
const CACHED_KEY_CONTEXT_ORIGIN = 'GET /api/v1/keys/me (cached)'

/**
 * The project and environment to work on. Anything not configured comes from the API key's own
 * scope (keys/me), as SPEC says; a key without an environment scope then needs -e. The answer is
 * saved for `withTarget`'s next use (the cache is written here, never read: see withTarget).
 */
export async function resolveTarget(session: Session): Promise<Target> {
  const {project, environment} = session.settings
  if (project && environment) return {project, environment}
  let keyContext: KeyContext | undefined
  if (session.credentials.kind === 'api-key') {
    keyContext = await getKeyContext(session.api)
    session.keyContextCache?.write(keyContext)
  }
  return targetFrom(session, keyContext, KEY_CONTEXT_ORIGIN)
}

function targetFrom(session: Session, keyContext: KeyContext | undefined, origin: string): Target {
  const {project, environment} = session.settings
  const fromKey = (value: string | null | undefined): Resolved<string> | undefined =>
    value ? {value, source: 'key-context', origin} : undefined
  const resolvedProject = project ?? fromKey(keyContext?.projectSlug)
  const resolvedEnvironment = environment ?? fromKey(keyContext?.environmentSlug)
  if (!resolvedProject || !resolvedEnvironment) {
    const missing = [!resolvedProject && 'project', !resolvedEnvironment && 'environment'].filter(Boolean).join(' and ')
    throw usageError(`No ${missing} to use${keyContext ? ': the API key is not scoped to one' : ''}`, {
      code: 'no_target',
      suggestions: [
        'pass -p/--project and -e/--environment',
        'or set BELLA_BAXTER_PROJECT and BELLA_BAXTER_ENV',
        'or put `project = …` and `environment = …` in a .bella file in this folder or above',
      ],
    })
  }
  return {project: resolvedProject, environment: resolvedEnvironment, keyContext}
}

/**
 * The target from the saved key context alone, without a request: undefined when the settings
 * already name both (nothing to look up), there is no fresh entry, or the key is not scoped to
 * what is missing. For `--fallback-only`, which must not ask keys/me.
 */
export function cachedTarget(session: Session): Target | undefined {
  const {project, environment} = session.settings
  if (project && environment) return undefined
  const cached = session.keyContextCache?.read()
  return cached && targetFromCache(session, cached.context)
}

function targetFromCache(session: Session, context: KeyContext): Target | undefined {
  try {
    return {...targetFrom(session, context, CACHED_KEY_CONTEXT_ORIGIN), fromCache: true}
  } catch {
    return undefined // not scoped to what is needed: ask keys/me, as without a cache
  }
}

/**
 * Resolves the target and runs `use` with it: the cached key context saves the keys/me request
 * when there is a fresh entry (see config/key-context-cache.ts). If the API refuses a target that
 * came from the cache (404 or 403: the key was re-scoped, the environment removed), the entry is
 * dropped, keys/me is asked once and `use` runs again, so the cache never changes an outcome. An
 * authentication failure (401) drops the entry too. `use` must not have done anything the user
 * sees before such a refusal (they come from the first request it makes).
 */
export async function withTarget<T>(session: Session, use: (target: Target) => Promise<T>): Promise<T> {
  const cache = session.keyContextCache
  const {project, environment} = session.settings
  const cached = cache && !(project && environment) ? cache.read() : undefined
  const target = cached && targetFromCache(session, cached.context)
  if (target && cached) {
    const minutes = Math.floor(Math.max(0, Date.now() - cached.savedAt) / 60_000)
    session.debug?.(
      `key context from the cache (saved ${minutes} min ago, ${cached.file}): ` +
        `${target.project.value}/${target.environment.value}, no GET /api/v1/keys/me`,
    )
    try {
      return await use(target)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      cache!.remove()
      if (refusal === 'unauthorized') throw error
      session.debug?.(`the API refused the cached target (${refusal}): the key's scope changed; asking GET /api/v1/keys/me again`)
    }
  }
  try {
    return await use(await resolveTarget(session))
  } catch (error) {
    if (refusalOf(error) === 'unauthorized') cache?.remove()
    throw error
  }
}

/** A refusal that may mean the saved scope is out of date (404, 403), or that the key is refused (401 and the like). */
function refusalOf(error: unknown): 'not found' | 'forbidden' | 'unauthorized' | undefined {
  if (!isBellaError(error)) return undefined
  if (error.code === 'api_not_found') return 'not found'
  if (error.code === 'api_forbidden') return 'forbidden'
  return error.kind === 'auth' ? 'unauthorized' : undefined
}

export interface EnvironmentTarget {
  project: string
  environment: string
  /** The environment's UUID: what the api-key and tokens/issue routes take, not the slug. */
  environmentId: string
}

function sameProject(ref: string, context: {projectSlug: string | null; projectId: string | null}): boolean {
  return ref === context.projectSlug || ref.toLowerCase() === context.projectId?.toLowerCase()
}

/**
 * The target environment and its UUID: from keys/me when the key is scoped to that very
 * environment, else from `GET /api/v1/projects/{p}/environments/{e}` (contract §1.8, §2.4; the
 * official CLI's use of the slug here is a known bug).
 */
export async function resolveEnvironmentTarget(session: Session): Promise<EnvironmentTarget> {
  const target = await resolveTarget(session)
  const context = target.keyContext
  const project = target.project.value
  const environment = target.environment.value
  if (
    context?.environmentId &&
    target.environment.source === 'key-context' &&
    (target.project.source === 'key-context' || sameProject(project, context))
  ) {
    return {project, environment, environmentId: context.environmentId}
  }
  const info = await getEnvironment(session.api, project, environment)
  if (typeof info?.id !== 'string' || info.id === '') {
    throw generalError(`The Bella API did not return an id for environment ${project}/${environment}`, {code: 'api_invalid_response'})
  }
  return {project, environment, environmentId: info.id}
}
