/**
 * The dynamic-credentials endpoints (contract §2.3(b)). `generate` is a POST that creates a
 * database user, so it is never retried (core's client retries only idempotent requests).
 *
 * A 404 is turned into an error that names the provider and lists the environment's providers;
 * a 400 (unknown role, TTL refused, not a database provider) keeps the server's reason and says
 * where to look. Nothing here ever puts a response body into an error.
 */
import {apiPath, generalError, getEnvironmentProviders, isBellaError, usageError, type ApiClient, type BellaError} from '@bella/core'
import type {DatabaseCredentials} from './child-env.js'

export interface ProviderRef {
  project: string
  environment: string
  provider: string
}

export interface GenerateBody {
  role: string | null
  ttlSeconds: number | null
}

function credentialsPath(ref: ProviderRef, leaf: 'generate' | 'roles'): string {
  return apiPath('projects', ref.project, 'environments', ref.environment, 'providers', ref.provider, 'credentials', leaf)
}

export async function generateDatabaseCredentials(api: ApiClient, ref: ProviderRef, body: GenerateBody): Promise<DatabaseCredentials> {
  let answer: unknown
  try {
    answer = await api.request<unknown>({method: 'POST', path: credentialsPath(ref, 'generate'), body})
  } catch (error) {
    throw await explain(api, ref, error)
  }
  return checkCredentials(answer, ref)
}

export async function listCredentialRoles(api: ApiClient, ref: ProviderRef): Promise<string[]> {
  let answer: unknown
  try {
    answer = await api.request<unknown>({method: 'GET', path: credentialsPath(ref, 'roles')})
  } catch (error) {
    throw await explain(api, ref, error)
  }
  if (!Array.isArray(answer) || !answer.every((r) => typeof r === 'string')) {
    throw generalError(`The Bella API answered the roles of provider "${ref.provider}" with something other than a list of names`, {
      code: 'api_invalid_response',
    })
  }
  return answer as string[]
}

/** Checks the fields exec uses; says which is wrong, never what the body held. */
function checkCredentials(answer: unknown, ref: ProviderRef): DatabaseCredentials {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>
  const bad = [
    typeof a.username === 'string' && a.username !== '' ? undefined : 'username',
    typeof a.password === 'string' ? undefined : 'password',
    typeof a.expiresAt === 'string' || typeof a.leaseDurationSeconds === 'number' ? undefined : 'expiresAt',
    a.connectionUrl === undefined || a.connectionUrl === null || typeof a.connectionUrl === 'string' ? undefined : 'connectionUrl',
  ].filter(Boolean)
  if (bad.length > 0) {
    throw generalError(
      `The Bella API answered the credentials request for provider "${ref.provider}" without a usable ${bad.join(', ')}; the command was not started`,
      {code: 'api_invalid_response', suggestions: ['check that the API URL points at a Bella Baxter server that supports dynamic credentials']},
    )
  }
  return {
    username: a.username as string,
    password: a.password as string,
    expiresAt: typeof a.expiresAt === 'string' ? a.expiresAt : '',
    leaseDurationSeconds: typeof a.leaseDurationSeconds === 'number' ? a.leaseDurationSeconds : 0,
    leaseId: typeof a.leaseId === 'string' ? a.leaseId : '',
    connectionUrl: typeof a.connectionUrl === 'string' && a.connectionUrl !== '' ? a.connectionUrl : null,
  }
}

async function explain(api: ApiClient, ref: ProviderRef, error: unknown): Promise<unknown> {
  if (!isBellaError(error)) return error
  if (error.code === 'api_invalid_request') {
    return usageError(error.message, {
      code: 'credentials_refused',
      suggestions: [
        `check the provider, role and TTL; \`bella exec -p ${ref.project} -e ${ref.environment} --provider ${ref.provider} --list-roles\` lists the roles it offers`,
        "leave out --role for the provider's default role, and --ttl for the role's default lease length",
      ],
      cause: error,
    })
  }
  if (error.code === 'api_not_found') return (await unknownProvider(api, ref, error)) ?? error
  return error
}

/**
 * When the provider is not one of the environment's, say so and list the ones it has (one cheap
 * GET). Undefined when that is not the reason (then the original 404 is the better message).
 */
async function unknownProvider(api: ApiClient, ref: ProviderRef, original: BellaError): Promise<BellaError | undefined> {
  let providers
  try {
    providers = await getEnvironmentProviders(api, ref.project, ref.environment)
  } catch {
    return undefined // the project or environment itself is unknown: the original 404 says which
  }
  if (providers.some((p) => p.providerSlug === ref.provider)) return undefined
  const available = providers.map((p) => `${p.providerSlug} (${p.providerType})`)
  return usageError(`There is no provider "${ref.provider}" in ${ref.project}/${ref.environment}`, {
    code: 'unknown_provider',
    suggestions: [
      available.length > 0 ? `use one of its providers: ${available.join(', ')}` : `${ref.project}/${ref.environment} has no providers assigned`,
      'check -p/-e (bella whoami shows which project and environment are in use)',
    ],
    cause: original,
  })
}
