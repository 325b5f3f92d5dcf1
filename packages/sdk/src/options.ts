/**
 * What a client is built from: each option, else its BELLA_BAXTER_* variable, checked with core's
 * own checks. An option the app passes always wins over the environment, credentials included: an
 * explicit `accessToken` is never signed over by a BELLA_BAXTER_API_KEY that happens to be set.
 */
import {
  checkAppClient,
  DEFAULT_API_URL,
  loadDeviceKey,
  parseApiKey,
  resolveCredentials,
  resolveTimeout,
  usageError,
  validateApiUrl,
  type E2eeKey,
  type Env,
  type ResolvedCredentials,
} from '@bella/core/runtime'

export interface BaxterClientOptions {
  /** Base URL of the API (default `BELLA_BAXTER_URL`, else https://api.bella-baxter.io). */
  baxterUrl?: string
  /** A `bax-…` API key; requests are HMAC-signed with it (default `BELLA_BAXTER_API_KEY`). */
  apiKey?: string
  /** A bearer token, instead of an API key (default `BELLA_BAXTER_ACCESS_TOKEN`). */
  accessToken?: string
  /** A P-256 device key, PKCS#8 PEM, for zero-knowledge encryption (default `BELLA_BAXTER_PRIVATE_KEY`). */
  privateKey?: string
  /** Your app's name, sent as X-App-Client for the audit log (default `BELLA_BAXTER_APP_CLIENT`). */
  appClient?: string
  /** How long one call may take in all, retries included, in milliseconds (default `BELLA_TIMEOUT` seconds, else 30 s). */
  timeout?: number
  /** The project used when no key or token is configured (keyless workload identity) and by `createBellaConfig` (default `BELLA_BAXTER_PROJECT`). */
  projectSlug?: string
  /** The environment, likewise (default `BELLA_BAXTER_ENV`). */
  environmentSlug?: string
  /** Allow plain http:// to a host other than this machine (keys and secrets would cross the network unencrypted). */
  insecure?: boolean
  /** Where the BELLA_* fallbacks are read from (default `process.env`). */
  env?: Record<string, string | undefined>
}

/** @internal What the SDK's modules pass each other; not part of its types. */
export interface ResolvedOptions {
  baseUrl: string
  /** Undefined when none is configured: keyless workload identity is tried next. */
  credentials: ResolvedCredentials | undefined
  deviceKey: E2eeKey | undefined
  appClient: string | undefined
  deadlineMs: number
  project: string | undefined
  environment: string | undefined
  env: Env
}

/** A day: beyond this a timeout is a typo (and Node timers overflow at ~24.8 days). */
const MAX_TIMEOUT_MS = 86_400_000

const given = (value: string | undefined): string | undefined => (value?.trim() ? value : undefined)

/** @internal */
export async function resolveOptions(options: BaxterClientOptions): Promise<ResolvedOptions> {
  const env: Env = options.env ?? process.env
  const url = given(options.baxterUrl)
  const baseUrl = url
    ? validateApiUrl(url, 'the baxterUrl option', options.insecure === true)
    : validateApiUrl(given(env.BELLA_BAXTER_URL) ?? DEFAULT_API_URL, env.BELLA_BAXTER_URL?.trim() ? 'BELLA_BAXTER_URL' : 'the default API URL', options.insecure === true)
  const privateKey = given(options.privateKey)
  const deviceText = privateKey ?? given(env.BELLA_BAXTER_PRIVATE_KEY)
  const deviceKey = deviceText ? loadDeviceKey(deviceText, privateKey ? 'the privateKey option' : 'BELLA_BAXTER_PRIVATE_KEY') : undefined
  return {
    baseUrl,
    credentials: headerSafe(await resolveSdkCredentials(options, env)),
    deviceKey,
    appClient: appClientOf(options, env),
    deadlineMs: deadlineOf(options.timeout, env),
    project: given(options.projectSlug) ?? given(env.BELLA_BAXTER_PROJECT),
    environment: given(options.environmentSlug) ?? given(env.BELLA_BAXTER_ENV),
    env,
  }
}

/** Options first (apiKey, then accessToken), then the environment as the CLI reads it. */
async function resolveSdkCredentials(options: BaxterClientOptions, env: Env): Promise<ResolvedCredentials | undefined> {
  const apiKey = given(options.apiKey)?.trim()
  const accessToken = given(options.accessToken)?.trim()
  if (apiKey && accessToken) {
    throw usageError('Both the apiKey and the accessToken options were given', {
      code: 'conflicting_credentials',
      suggestions: ['pass one of them: apiKey signs requests, accessToken is sent as a bearer token'],
    })
  }
  if (apiKey) {
    const origin = 'the apiKey option'
    return {kind: 'api-key', raw: apiKey, keyId: parseApiKey(apiKey, origin).keyId, source: 'flag', origin}
  }
  if (accessToken) return {kind: 'bearer', token: accessToken, source: 'flag', origin: 'the accessToken option'}
  return resolveCredentials({env})
}

function appClientOf(options: BaxterClientOptions, env: Env): string | undefined {
  const option = given(options.appClient)
  const value = option ?? given(env.BELLA_BAXTER_APP_CLIENT)
  return value === undefined ? undefined : checkAppClient(value, option ? 'the appClient option' : 'BELLA_BAXTER_APP_CLIENT')
}

/** A bearer token Node cannot put in a header would fail every call with its own TypeError. */
function headerSafe(credentials: ResolvedCredentials | undefined): ResolvedCredentials | undefined {
  if (credentials?.kind !== 'bearer' || /^[\x21-\x7e]+$/.test(credentials.token)) return credentials
  throw usageError(`${credentials.origin} is not an access token: it holds spaces, line breaks or other characters a token never has`, {
    code: 'invalid_access_token',
    suggestions: ['copy the token again, whole and alone (no quotes, no line breaks)'],
  })
}

function deadlineOf(timeout: number | undefined, env: Env): number {
  if (timeout === undefined) return resolveTimeout(undefined, env).value * 1000
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_TIMEOUT_MS) {
    throw usageError(`The timeout option must be a positive number of milliseconds (at most ${MAX_TIMEOUT_MS})`, {
      code: 'invalid_timeout',
      suggestions: ['timeout: 10_000 waits up to 10 s for each call, retries included'],
    })
  }
  return timeout
}
