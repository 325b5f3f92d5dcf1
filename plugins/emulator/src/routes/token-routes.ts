/**
 * Keyless workload identity (contract §1.9): the unauthenticated OIDC exchange.
 *
 *   POST /api/v1/token                              {oidcToken, projectSlug?, environmentSlug?, tenantSlug?}
 *   POST /api/v1/environments/{environmentId}/token {oidcToken}
 *     → 200 OidcTokenResponse {token: "bax-…", expiresAt}
 *
 * The token is verified against the seed's `oidc:` issuers (auth/oidc.ts); its claims must match a
 * trust rule for the requested project/environment (or, with none requested, exactly one rule).
 * Errors: 400 malformed body, 401 token not acceptable (issuer, signature, audience, expiry),
 * 404 unknown project/environment/tenant, 422 no trust rule matches.
 *
 * These routes are answered before authentication: the caller has no key yet.
 */
import {ruleMatches, untrusted, verifyOidcToken} from '../auth/oidc.js'
import {badRequest, jsonObjectBody, notFound, type IncomingRequest, type Reply} from '../http.js'
import {pathSegments, Router} from '../router.js'
import type {ResolvedTrustRule} from '../seed/oidc-seed.js'
import type {EmulatorState, EnvironmentState, ProjectState} from '../state.js'
import {findEnvironmentById, mintApiKey} from './key-routes.js'

interface PublicContext {
  state: EmulatorState
  request: IncomingRequest
  params: Record<string, string>
  now: Date
}

type PublicHandler = (ctx: PublicContext) => Reply

const publicRouter = new Router<PublicHandler>()
  .add('POST', '/api/v1/token', (ctx) => {
    const body = jsonObjectBody(ctx.request)
    const oidcToken = requiredToken(body)
    const text = (field: string) => {
      const value = body[field]
      if (value === undefined || value === null) return undefined
      if (typeof value !== 'string' || value.trim() === '') throw badRequest(`"${field}" must be a non-empty string or null`)
      return value
    }
    const projectRef = text('projectSlug')
    const envRef = text('environmentSlug')
    const tenant = text('tenantSlug')
    if (tenant !== undefined && tenant !== ctx.state.tenant.slug) throw notFound(`tenant "${tenant}" was not found`)
    if (envRef !== undefined && projectRef === undefined) throw badRequest('"environmentSlug" needs "projectSlug"')
    let target: {project: ProjectState; env?: EnvironmentState} | undefined
    if (projectRef !== undefined) {
      const project = ctx.state.requireProject(projectRef)
      target = {project, ...(envRef === undefined ? {} : {env: ctx.state.requireEnvironment(project, envRef)})}
    }
    return exchange(ctx, oidcToken, target)
  })
  .add('POST', '/api/v1/environments/:environmentId/token', (ctx) => {
    const oidcToken = requiredToken(jsonObjectBody(ctx.request))
    const found = findEnvironmentById(ctx.state, ctx.params.environmentId!)
    if (!found) throw notFound(`no environment with id "${ctx.params.environmentId}"`)
    return exchange(ctx, oidcToken, found)
  })

function requiredToken(body: Record<string, unknown>): string {
  const token = body.oidcToken
  if (typeof token !== 'string' || token.trim() === '') throw badRequest('"oidcToken" is required: the platform\'s OIDC ID token (a JWT)')
  return token.trim()
}

function exchange(ctx: PublicContext, oidcToken: string, target: {project: ProjectState; env?: EnvironmentState} | undefined): Reply {
  const {issuer, claims} = verifyOidcToken(oidcToken, ctx.state.oidc, ctx.now)
  const inTarget = (rule: ResolvedTrustRule) =>
    !target || (rule.projectId === target.project.id && (!target.env || rule.environmentId === target.env.id))
  const matching = issuer.trust.filter((rule) => inTarget(rule) && ruleMatches(rule, claims))
  const subject = typeof claims.sub === 'string' ? claims.sub : '(no sub)'
  const where = target ? `${target.project.slug}${target.env ? `/${target.env.slug}` : ''}` : 'any project'
  if (matching.length === 0) {
    throw untrusted(`no trust rule of issuer "${issuer.issuer}" lets subject "${subject}" into ${where}`)
  }
  const distinct = new Set(matching.map((r) => r.environmentId))
  if (distinct.size > 1) {
    throw badRequest(`subject "${subject}" is trusted in several environments; say which with projectSlug and environmentSlug`)
  }
  const rule = matching[0]!
  const minted = mintApiKey(ctx.state, {
    projectId: rule.projectId,
    environmentId: rule.environmentId,
    role: rule.role,
    name: `oidc ${subject}`.slice(0, 200),
    description: `workload identity from ${issuer.issuer}`,
    expires: new Date(ctx.now.getTime() + rule.ttlMinutes * 60_000),
    scopes: null,
    now: ctx.now,
  })
  return {status: 200, body: {token: minted.apiKey, expiresAt: minted.key.expires!.toISOString()}}
}

/** The answer to an unauthenticated public route, or undefined when the request is not one. */
export function answerPublicRoute(request: IncomingRequest, state: EmulatorState, now: Date): Reply | undefined {
  if (request.method !== 'POST' || !request.rawPath.startsWith('/api/v1/')) return undefined
  const match = publicRouter.match(request.method, pathSegments(request.rawPath))
  if (match.kind !== 'found') return undefined
  return match.handler({state, request, params: match.params, now})
}

