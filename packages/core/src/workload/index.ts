/**
 * Keyless workload identity (contract §1.9): when no API key or token is configured and bella runs
 * in GitHub Actions or Kubernetes, exchange the platform's OIDC token for a short-lived `bax-` key
 * and use that, in memory only. Explicit credentials always win; `openSession` calls this only
 * when there are none.
 */
import type {RetryNotice} from '../api/client.js'
import type {Transport} from '../api/transport.js'
import {keyPrefix} from '../crypto/api-key.js'
import type {ResolvedSettings} from '../config/settings.js'
import type {Env} from '../config/types.js'
import type {ResolvedCredentials} from '../credentials/resolve-credentials.js'
import {authError} from '../errors.js'
import {exchangeOidcToken} from './exchange.js'
import {audiencesOf, decodeJwtClaims, subjectOf} from './jwt-claims.js'
import {obtainOidcToken} from './oidc-token.js'
import {detectWorkloadPlatform, oidcAudience, type WorkloadPlatform} from './platform.js'
import {registerWorkloadRenewal, type WorkloadKey} from './renewal.js'

export * from './platform.js'
export * from './jwt-claims.js'
export * from './oidc-token.js'
export * from './exchange.js'
export * from './renewal.js'

export interface WorkloadIdentityInput {
  env: Env
  settings: ResolvedSettings
  /** Where the one-line "using … workload identity" notice goes (stderr). */
  notice?: (message: string) => void
  onRetry?: (notice: RetryNotice) => void
  timeoutMs?: number
  transport?: Transport
  readFile?: (path: string) => string
  isFile?: (path: string) => boolean
}

/**
 * The credentials from workload identity, or undefined when no platform is detected (or it is
 * turned off). A detected platform that cannot be used is an error that says why: there is
 * nothing else to fall back on by then.
 */
export async function resolveWorkloadCredentials(input: WorkloadIdentityInput): Promise<ResolvedCredentials | undefined> {
  const platform = detectWorkloadPlatform(input.env, {isFile: input.isFile})
  if (!platform) return undefined
  const {project, environment} = input.settings
  if (!project || !environment) {
    const missing = [!project && 'project', !environment && 'environment'].filter(Boolean).join(' and ')
    throw authError(
      `Not authenticated: no API key or access token is configured, and ${platform.name} workload identity needs a project and an environment to ask for (no ${missing} is set)`,
      {
        code: 'not_authenticated',
        suggestions: [
          'pass -p/-e, set BELLA_BAXTER_PROJECT and BELLA_BAXTER_ENV, or commit a .bella file with project and environment',
          'or set BELLA_BAXTER_API_KEY=bax-… (an API key always wins over workload identity)',
        ],
      },
    )
  }

  const target = {project: project.value, environment: environment.value}
  const first = await exchangeWorkloadKey(input, platform, target)
  const until = first.expiresAt ? `, valid until ${first.expiresAt.toISOString()}` : ''
  input.notice?.(
    `bella: no API key configured; using ${platform.name} workload identity (subject ${first.subject}): short-lived key ${keyPrefix(first.keyId)}… for ${target.project}/${target.environment}${until}`,
  )
  // Long-running commands renew the key before it expires (renewal.ts).
  const renew = async (): Promise<WorkloadKey> => {
    const next = await exchangeWorkloadKey(input, platform, target)
    input.notice?.(`bella: renewed the ${platform.name} workload identity key: ${keyPrefix(next.keyId)}…${next.expiresAt ? `, valid until ${next.expiresAt.toISOString()}` : ''}`)
    registerWorkloadRenewal(next, renew)
    return next
  }
  registerWorkloadRenewal(first, renew)
  return first.credentials
}

interface ExchangedKey extends WorkloadKey {
  keyId: string
  subject: string
}

/** Platform OIDC token → audience check → POST /api/v1/token → credentials. */
async function exchangeWorkloadKey(
  input: WorkloadIdentityInput,
  platform: WorkloadPlatform,
  target: {project: string; environment: string},
): Promise<ExchangedKey> {
  const audience = oidcAudience(input.env)
  const oidcToken = await obtainOidcToken(platform, {audience, timeoutMs: input.timeoutMs, transport: input.transport, readFile: input.readFile})
  const claims = decodeJwtClaims(oidcToken)
  if (!claims) {
    throw authError(`The ${describeSource(platform)} is not a JWT`, {
      code: 'workload_oidc_invalid',
      suggestions: ['set BELLA_BAXTER_API_KEY to use an API key instead'],
    })
  }
  const subject = subjectOf(claims)
  const audiences = audiencesOf(claims)
  if (!audiences.includes(audience)) {
    // Never hand a token meant for someone else (e.g. the Kubernetes API server) to the Bella API.
    throw authError(
      `The ${describeSource(platform)} is for audience ${audiences.map((a) => `"${a}"`).join(', ') || '(none)'}, not "${audience}"; bella does not send it anywhere`,
      {
        code: 'workload_oidc_wrong_audience',
        suggestions:
          platform.kind === 'kubernetes'
            ? [
                `mount a projected service-account token with audience "${audience}" and point BELLA_K8S_TOKEN_PATH at it`,
                'or set BELLA_OIDC_AUDIENCE if the server trusts another audience',
              ]
            : ['set BELLA_OIDC_AUDIENCE to the audience the server trusts', 'or set BELLA_BAXTER_API_KEY to use an API key instead'],
      },
    )
  }
  const obtainedAt = new Date()
  const exchanged = await exchangeOidcToken({
    baseUrl: input.settings.apiUrl.value,
    oidcToken,
    project: target.project,
    environment: target.environment,
    appClient: input.settings.app?.value,
    timeoutMs: input.timeoutMs,
    transport: input.transport,
    onRetry: input.onRetry,
    platformName: platform.name,
    subject,
  })
  const expiresAt = exchanged.expiresAt && !Number.isNaN(Date.parse(exchanged.expiresAt)) ? new Date(exchanged.expiresAt) : undefined
  return {
    credentials: {
      kind: 'api-key',
      raw: exchanged.token,
      keyId: exchanged.keyId,
      source: 'workload-identity',
      origin: `${platform.name} workload identity, subject ${subject}`,
    },
    keyId: exchanged.keyId,
    subject,
    expiresAt,
    obtainedAt,
  }
}

function describeSource(platform: WorkloadPlatform): string {
  return platform.kind === 'github-actions'
    ? 'GitHub Actions OIDC token'
    : `Kubernetes service-account token ${platform.tokenPath} (${platform.tokenPathOrigin})`
}
