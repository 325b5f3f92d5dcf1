/**
 * The SDK's calls over core's API client: the same transport, signing, E2EE and response checks as
 * the CLI. Adds what a long-lived library needs: one AbortSignal that ends every request at once
 * (close), the Retry-After of the last refused request (for the refresh loop's backoff), calls that
 * are not retried (the refresh loop retries on its own schedule), and null-prototype secret maps.
 */
import {
  authError,
  createApiClient,
  createNodeTransport,
  getAllEnvironmentSecrets,
  getEnvironmentSecretsVersion,
  getKeyContext,
  generalError,
  parseRetryAfter,
  renewingApiClient,
  resolveWorkloadCredentials,
  toApiCredentials,
  unreachableError,
  apiPath,
  type ApiClient,
  type ResolvedCredentials,
  type ResolvedSettings,
  type Transport,
} from '@bella/core/runtime'
import type {ResolvedOptions} from './options.js'

export interface AllEnvironmentSecretsResponse {
  environmentSlug: string
  environmentName: string
  /** Name → value, a null-prototype object: `__proto__` or `constructor` are names like any other. */
  secrets: Record<string, string>
  version: number
  lastModified: string
  /** Names left out of `secrets`: their value came still sealed at rest (bellabaxter:v…), which the server should have decrypted. */
  withheld: string[]
}

export interface EnvironmentSecretsVersionResponse {
  environmentSlug: string
  version: number
  lastModified: string
}

export interface DiscoveredContext {
  projectSlug: string
  environmentSlug: string
  role: string
  keyId: string
}

export interface CallOptions {
  /** Retry network errors, 429 and 5xx within the call (default true). */
  retry?: boolean
}

export interface Connection {
  readonly baseUrl: string
  readonly credentialKind: 'api-key' | 'bearer'
  discoverContext(): Promise<DiscoveredContext>
  /** What keys/me names, either or both possibly absent (a project-level key names no environment). */
  keyScope(): Promise<{projectSlug?: string | undefined; environmentSlug?: string | undefined}>
  getAllSecrets(project: string, environment: string, options?: CallOptions): Promise<AllEnvironmentSecretsResponse>
  getSecretsVersion(project: string, environment: string, options?: CallOptions): Promise<EnvironmentSecretsVersionResponse>
  /** What the server's last 429/503 asked for (Retry-After), in ms. */
  lastRetryAfterMs(): number | undefined
  /** Ends every request in flight and refuses new ones; frees the sockets. */
  close(): void
}

/** @internal */
export async function openConnection(resolved: ResolvedOptions): Promise<Connection> {
  const controller = new AbortController()
  const inner = createNodeTransport(controller.signal)
  let retryAfterMs: number | undefined
  const transport: Transport = async (request) => {
    retryAfterMs = undefined
    const response = await inner(request)
    if (response.status === 429 || response.status === 503) {
      const header = response.headers['retry-after']
      retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, new Date())
    }
    return response
  }
  const credentials = resolved.credentials ?? (await workloadCredentials(resolved))
  const api = renewingApiClient(credentials, (current) =>
    createApiClient({
      baseUrl: resolved.baseUrl,
      credentials: toApiCredentials(current),
      appClient: resolved.appClient,
      deviceKey: resolved.deviceKey,
      deadlineMs: resolved.deadlineMs,
      deadlineHint: 'wait longer with the timeout option (milliseconds) or BELLA_TIMEOUT (seconds)',
      userAgent: 'bella-sdk',
      transport,
      signal: controller.signal,
    }),
  )
  // A request that is not idempotent is never retried by core's client: the refresh loop's own schedule is its retry.
  const once: ApiClient = {baseUrl: api.baseUrl, credentials: api.credentials, request: (request) => api.request({...request, idempotent: false})}
  const via = (options?: CallOptions) => (options?.retry === false ? once : api)
  // After close(), core ends a call with its transport's own "stopping" error, which is not a
  // BellaError: the app gets one that is, and says what happened.
  const open = async <T>(call: () => Promise<T>): Promise<T> => {
    if (controller.signal.aborted) throw destroyedError()
    try {
      return await call()
    } catch (error) {
      throw controller.signal.aborted ? destroyedError() : error
    }
  }

  return {
    baseUrl: resolved.baseUrl,
    credentialKind: credentials.kind,
    keyScope: () =>
      open(async () => {
        const context = await getKeyContext(api)
        return {projectSlug: context.projectSlug || undefined, environmentSlug: context.environmentSlug || undefined}
      }),
    discoverContext: () => open(async () => {
      const context = await getKeyContext(api)
      if (!context.projectSlug || !context.environmentSlug) {
        const missing = !context.projectSlug ? 'project' : 'environment'
        throw generalError(`The credentials are not scoped to one ${missing} (GET /api/v1/keys/me names none)`, {
          code: 'no_target',
          suggestions: [`pass the ${missing}Slug option, or set ${missing === 'project' ? 'BELLA_BAXTER_PROJECT' : 'BELLA_BAXTER_ENV'}`],
        })
      }
      return {projectSlug: context.projectSlug, environmentSlug: context.environmentSlug, role: context.role, keyId: context.keyId}
    }),
    getAllSecrets: (project, environment, options) => open(async () => {
      const fetched = await getAllEnvironmentSecrets(via(options), project, environment)
      const secrets: Record<string, string> = Object.create(null)
      for (const [name, value] of Object.entries(fetched.secrets)) secrets[name] = value
      const {environmentSlug, environmentName, version, lastModified, sealed} = fetched
      return {environmentSlug, environmentName, secrets, version, lastModified, withheld: sealed}
    }),
    getSecretsVersion: (project, environment, options) => open(async () => {
      const body: unknown = await getEnvironmentSecretsVersion(via(options), project, environment)
      return checkVersion(body, apiPath('projects', project, 'environments', environment, 'secrets', 'version'), environment)
    }),
    lastRetryAfterMs: () => retryAfterMs,
    close: () => controller.abort(),
  }
}

function destroyedError() {
  return generalError('The client was destroyed (destroy() or close()): its calls end, and no new one is made', {
    code: 'client_destroyed',
    suggestions: ['create a new client (createBaxterClient or createBellaConfig) to read secrets again'],
  })
}

function checkVersion(body: unknown, path: string, environment: string): EnvironmentSecretsVersionResponse {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined
  if (!record || typeof record.version !== 'number' || !Number.isFinite(record.version)) {
    throw unreachableError(`The Bella API answered GET ${path} with a malformed version response (\`version\` is not a number); nothing from it was used`, {
      code: 'api_invalid_response',
      suggestions: ['the server, or a proxy between the app and it, is misbehaving: try again later'],
    })
  }
  return {
    environmentSlug: typeof record.environmentSlug === 'string' ? record.environmentSlug : environment,
    version: record.version,
    lastModified: typeof record.lastModified === 'string' ? record.lastModified : '',
  }
}

/** No key or token configured: GitHub Actions / Kubernetes OIDC for a short-lived key, as the CLI does. */
async function workloadCredentials(resolved: ResolvedOptions): Promise<ResolvedCredentials> {
  const option = (value: string | undefined, origin: string) => (value ? {value, source: 'flag' as const, origin} : undefined)
  const settings: ResolvedSettings = {
    apiUrl: {value: resolved.baseUrl, source: 'flag', origin: 'baxterUrl'},
    project: option(resolved.project, 'projectSlug'),
    environment: option(resolved.environment, 'environmentSlug'),
    app: option(resolved.appClient, 'appClient'),
    insecure: false,
    timeout: {value: resolved.deadlineMs / 1000, source: 'flag', origin: 'timeout'},
  }
  const credentials = await resolveWorkloadCredentials({env: resolved.env, settings, timeoutMs: resolved.deadlineMs})
  if (credentials) return credentials
  throw authError('Not authenticated: no API key or access token is configured', {
    code: 'not_authenticated',
    suggestions: [
      'pass the apiKey option (bax-…) or set BELLA_BAXTER_API_KEY',
      'or pass accessToken / set BELLA_BAXTER_ACCESS_TOKEN; in GitHub Actions or Kubernetes, set projectSlug and environmentSlug for workload identity',
    ],
  })
}
