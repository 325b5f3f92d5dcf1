/**
 * Dynamic database credentials (contract §2.3(b)):
 *
 *   POST …/providers/{providerSlug}/credentials/generate   {role, ttlSeconds} → GenerateCredentialsResponse
 *   GET  …/providers/{providerSlug}/credentials/roles      → string[]
 *
 * Unknown project/environment/provider: 404; out of the credential's scope: 403; a provider that
 * is not a database provider, an unknown role or a TTL above the role's maximum: 400. Like every
 * write, the answer is plain JSON even when an E2EE key is presented (contract §3.1).
 */
import {assertEnvironmentInScope} from '../auth/scope.js'
import type {DynamicCredentials, GenerateRequest} from '../dynamic/credentials.js'
import {badRequest, jsonObjectBody, type IncomingRequest} from '../http.js'
import type {Router} from '../router.js'
import type {EnvironmentState, ProviderState} from '../state.js'
import type {Handler, HandlerContext} from './context.js'

const PROVIDER = '/api/v1/projects/:projectRef/environments/:envSlug/providers/:providerSlug'

function target(ctx: HandlerContext): {env: EnvironmentState; provider: ProviderState} {
  const project = ctx.state.requireProject(ctx.params.projectRef!)
  const env = ctx.state.requireEnvironment(project, ctx.params.envSlug!)
  assertEnvironmentInScope(ctx.principal, project, env)
  return {env, provider: ctx.state.requireProvider(env, ctx.params.providerSlug!)}
}

/** GenerateCredentialsCommand: both keys may be null (or left out); nothing else is accepted. */
export function parseGenerateRequest(request: IncomingRequest): GenerateRequest {
  const body = jsonObjectBody(request)
  const unknown = Object.keys(body).filter((k) => k !== 'role' && k !== 'ttlSeconds')
  if (unknown.length > 0) throw badRequest(`unknown field(s): ${unknown.join(', ')} (expected role, ttlSeconds)`)
  const role = body.role ?? null
  if (role !== null && (typeof role !== 'string' || role === '')) throw badRequest('"role" must be a role name or null')
  const ttl = body.ttlSeconds ?? null
  if (ttl !== null && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl > 2 ** 31 - 1)) {
    throw badRequest('"ttlSeconds" must be a whole number of seconds or null')
  }
  return {role, ttlSeconds: ttl}
}

export function addCredentialRoutes(router: Router<Handler>, dynamic: DynamicCredentials): void {
  router
    .add('GET', `${PROVIDER}/credentials/roles`, (ctx) => {
      const {env, provider} = target(ctx)
      return {status: 200, body: dynamic.roles(provider, env.providers)}
    })
    .add('POST', `${PROVIDER}/credentials/generate`, async (ctx) => {
      const {env, provider} = target(ctx)
      const credentials = await dynamic.generate(provider, env.providers, parseGenerateRequest(ctx.request))
      return {status: 200, body: credentials}
    })
}
