/**
 * A command's view of "who am I talking to, as whom, about what": resolved settings, credentials,
 * and the API client built from them. Commands build the input from flags and process.env;
 * everything below works on that resolved input only.
 */
import {createApiClient, type ApiClient, type ApiCredentials, type RetryNotice, type Waiting} from './api/client.js'
import {getEnvironment, getKeyContext} from './api/endpoints.js'
import type {KeyContext} from './api/types.js'
import {resolveSettings, type ResolvedSettings, type SettingsFlags} from './config/settings.js'
import type {Env, Resolved} from './config/types.js'
import {openCredentialStore} from './credentials/open-store.js'
import {resolveCredentials, resolveDeviceKey, type ResolvedCredentials} from './credentials/resolve-credentials.js'
import {parseApiKey} from './crypto/api-key.js'
import {loadDeviceKey} from './crypto/e2ee.js'
import {authError, generalError, usageError} from './errors.js'
import {renewingApiClient, resolveWorkloadCredentials} from './workload/index.js'

export interface SessionInput {
  flags: SettingsFlags
  env: Env
  cwd: string
  configDir: string
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
  return {settings, credentials, api}
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
  /** Present when keys/me was asked (an API key with project or environment left open). */
  keyContext?: KeyContext
}

const KEY_CONTEXT_ORIGIN = 'GET /api/v1/keys/me'

/**
 * The project and environment to work on. Anything not configured comes from the API key's own
 * scope (keys/me), as SPEC says; a key without an environment scope then needs -e.
 */
export async function resolveTarget(session: Session): Promise<Target> {
  const {project, environment} = session.settings
  if (project && environment) return {project, environment}
  let keyContext: KeyContext | undefined
  if (session.credentials.kind === 'api-key') keyContext = await getKeyContext(session.api)
  const fromKey = (value: string | null | undefined): Resolved<string> | undefined =>
    value ? {value, source: 'key-context', origin: KEY_CONTEXT_ORIGIN} : undefined
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
