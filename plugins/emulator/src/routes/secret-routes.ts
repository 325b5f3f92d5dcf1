/**
 * Browsing and editing secrets (contract §2.7, §3.1; openapi.json shapes):
 *
 *   GET    /api/v1/projects                                  → PageProjectResponse (the projects in scope)
 *   GET    /api/v1/projects/{p}/environments                 → EnvironmentResponse[] (those in scope)
 *   GET    …/providers/{v}/secrets/{key}                     → one item (envelope-required)
 *   GET    …/providers/{v}/secrets/{key}/versions            → SecretVersionsMetadata (plain)
 *   GET    …/providers/{v}/secrets/{key}/versions/{n}        → one version (envelope-required)
 *   POST   …/providers/{v}/secrets                           CreateSecretRequest → 201 CreateSecretResponse (409 if it exists)
 *   PUT    …/providers/{v}/secrets/{key}                     UpdateSecretRequest → UpdateSecretResponse (404 if unknown)
 *   DELETE …/providers/{v}/secrets/{key}                     → OperationResponse
 *
 * Every write goes through EmulatorState.changeSecrets, so the environment's version moves and
 * `run --watch` and the agent see it. Writing needs a role of MANAGER, ADMIN or OWNER and an
 * unscoped credential; a CONSUMER key gets 403 naming the role needed.
 */
import {assertEnvironmentInScope} from '../auth/scope.js'
import {canManage, limitProviderItems, scopesOf} from '../auth/token-scope.js'
import {badRequest, forbidden, HttpError, jsonObjectBody, notFound, type IncomingRequest} from '../http.js'
import type {Router} from '../router.js'
import type {EnvironmentState, ProjectState, ProviderState, SecretRecord} from '../state.js'
import type {Handler, HandlerContext} from './context.js'
import {environmentView, projectListView, secretItemView, secretVersionsView} from './views.js'

const PROJECT = '/api/v1/projects/:projectRef'
const PROVIDER = `${PROJECT}/environments/:envSlug/providers/:providerSlug`
const SECRET = `${PROVIDER}/secrets/:key`

interface Target {
  project: ProjectState
  env: EnvironmentState
  provider: ProviderState
}

function target(ctx: HandlerContext): Target {
  const project = ctx.state.requireProject(ctx.params.projectRef!)
  const env = ctx.state.requireEnvironment(project, ctx.params.envSlug!)
  assertEnvironmentInScope(ctx.principal, project, env)
  return {project, env, provider: ctx.state.requireProvider(env, ctx.params.providerSlug!)}
}

/** The secret, if the principal may see it (a scoped token sees only its scopes); else 404. */
function readable(ctx: HandlerContext, t: Target): SecretRecord {
  const key = ctx.params.key!
  const record = t.provider.secrets.get(key)
  const visible = record && limitProviderItems(ctx.state, ctx.principal, t.provider, [record]).length > 0
  if (!record || !visible) throw notFound(`secret "${key}" was not found in provider "${t.provider.slug}" of environment "${t.env.slug}"`)
  return record
}

function assertCanWrite(ctx: HandlerContext, t: Target): void {
  if (scopesOf(ctx.state, ctx.principal)) throw forbidden('a scoped token may only read the secrets it was issued for')
  if (!canManage(ctx.principal.role)) {
    throw forbidden(
      `role ${ctx.principal.role} may only read secrets in environment "${t.env.slug}" of project "${t.project.slug}": changing them needs MANAGER, ADMIN or OWNER`,
    )
  }
}

interface SecretBody {
  key: string
  value: string
  description: string | null
  type: string | null
}

/** CreateSecretRequest / UpdateSecretRequest: key, value and description required. */
export function parseSecretBody(request: IncomingRequest): SecretBody {
  const body = jsonObjectBody(request)
  const allowed = ['key', 'value', 'description', 'type', 'ignoreInScan', 'tags']
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k))
  if (unknown.length > 0) throw badRequest(`unknown field(s): ${unknown.join(', ')} (expected ${allowed.join(', ')})`)
  if (typeof body.key !== 'string' || body.key === '') throw badRequest('"key" must be a non-empty string')
  if (typeof body.value !== 'string') throw badRequest('"value" must be a string')
  if (!Object.hasOwn(body, 'description')) throw badRequest('"description" is required (a string or null)')
  const description = body.description
  if (description !== null && typeof description !== 'string') throw badRequest('"description" must be a string or null')
  const type = body.type ?? null
  if (type !== null && typeof type !== 'string') throw badRequest('"type" must be a string or null')
  return {key: body.key, value: body.value, description, type}
}

function write(ctx: HandlerContext, t: Target, body: SecretBody): void {
  ctx.state.changeSecrets(t.env, t.provider.slug, {set: {[body.key]: body.value}})
  const record = t.provider.secrets.get(body.key)!
  record.description = body.description
  if (body.type !== null) record.type = body.type
}

export function addSecretRoutes(router: Router<Handler>): void {
  router
    .add('GET', '/api/v1/projects', (ctx) => {
      const visible = ctx.state.projects.filter((p) => p.id === ctx.principal.projectId)
      return {status: 200, body: projectListView(ctx.state, visible)}
    })
    .add('GET', `${PROJECT}/environments`, (ctx) => {
      const project = ctx.state.requireProject(ctx.params.projectRef!)
      if (project.id !== ctx.principal.projectId) throw forbidden(`this credential is scoped to another project and may not access project "${project.slug}"`)
      const envs = project.environments.filter((e) => ctx.principal.environmentId === null || e.id === ctx.principal.environmentId)
      return {status: 200, body: envs.map((e) => environmentView(ctx.state, project, e))}
    })
    .add('GET', SECRET, (ctx) => ({status: 200, body: secretItemView(readable(ctx, target(ctx))), secretBearing: true}))
    .add('GET', `${SECRET}/versions`, (ctx) => ({status: 200, body: secretVersionsView(readable(ctx, target(ctx)))}))
    .add('GET', `${SECRET}/versions/:version`, (ctx) => {
      const record = readable(ctx, target(ctx))
      const wanted = ctx.params.version!
      const found = /^\d+$/.test(wanted) ? record.history.find((v) => v.version === Number(wanted)) : undefined
      if (!found) throw notFound(`secret "${record.key}" has no version ${wanted} (current: ${record.version})`)
      return {
        status: 200,
        body: {key: record.key, value: found.value, version: found.version, createdAt: found.createdAt.toISOString(), isCurrent: found.version === record.version},
        secretBearing: true,
      }
    })
    .add('POST', `${PROVIDER}/secrets`, (ctx) => {
      const t = target(ctx)
      assertCanWrite(ctx, t)
      const body = parseSecretBody(ctx.request)
      if (t.provider.secrets.has(body.key)) throw new HttpError(409, `secret "${body.key}" already exists in provider "${t.provider.slug}"; update it with PUT`)
      write(ctx, t, body)
      return {status: 201, body: {success: true, message: 'Secret created', key: body.key}}
    })
    .add('PUT', SECRET, (ctx) => {
      const t = target(ctx)
      assertCanWrite(ctx, t)
      const body = parseSecretBody(ctx.request)
      if (body.key !== ctx.params.key) throw badRequest(`"key" (${body.key}) must match the path (${ctx.params.key})`)
      if (!t.provider.secrets.has(body.key)) throw notFound(`secret "${body.key}" was not found in provider "${t.provider.slug}"; create it with POST`)
      write(ctx, t, body)
      return {status: 200, body: {success: true, message: 'Secret updated', key: body.key}}
    })
    .add('DELETE', SECRET, (ctx) => {
      const t = target(ctx)
      assertCanWrite(ctx, t)
      const key = ctx.params.key!
      if (!t.provider.secrets.has(key)) throw notFound(`secret "${key}" was not found in provider "${t.provider.slug}"`)
      ctx.state.changeSecrets(t.env, t.provider.slug, {unset: [key]})
      return {status: 200, body: {success: true, message: 'Secret deleted'}}
    })
}
