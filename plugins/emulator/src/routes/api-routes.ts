/**
 * The Bella Baxter API endpoints bella uses (contract §1.8, §2.1, §2.2, §2.7), in openapi.json's
 * shapes. Every project-scoped route resolves the target first (404 when unknown) and then checks
 * the principal's scope (403).
 */
import {assertEnvironmentInScope, assertProjectInScope} from '../auth/scope.js'
import {limitAllSecrets, limitProviderItems} from '../auth/token-scope.js'
import {headerValue} from '../http.js'
import type {Router} from '../router.js'
import type {EnvironmentState, ProjectState, ProviderState} from '../state.js'
import type {Handler, HandlerContext} from './context.js'
import {
  allSecretsView,
  environmentView,
  keyContextView,
  projectView,
  providerView,
  secretItemsView,
  secretsHashView,
  secretsVersionView,
} from './views.js'

const PROJECT = '/api/v1/projects/:projectRef'
const ENVIRONMENT = `${PROJECT}/environments/:envSlug`
const PROVIDER = `${ENVIRONMENT}/providers/:providerSlug`

function project(ctx: HandlerContext): ProjectState {
  const found = ctx.state.requireProject(ctx.params.projectRef!)
  assertProjectInScope(ctx.principal, found)
  return found
}

function environment(ctx: HandlerContext): {project: ProjectState; env: EnvironmentState} {
  const p = ctx.state.requireProject(ctx.params.projectRef!)
  const env = ctx.state.requireEnvironment(p, ctx.params.envSlug!)
  assertEnvironmentInScope(ctx.principal, p, env)
  return {project: p, env}
}

function provider(ctx: HandlerContext): ProviderState {
  const {env} = environment(ctx)
  return ctx.state.requireProvider(env, ctx.params.providerSlug!)
}

export function addApiRoutes(router: Router<Handler>): void {
  router
    .add('GET', '/api/v1/keys/me', (ctx) => ({status: 200, body: keyContextView(ctx.state, ctx.principal)}))
    .add('GET', PROJECT, (ctx) => ({status: 200, body: projectView(ctx.state, project(ctx))}))
    .add('GET', ENVIRONMENT, (ctx) => {
      const {project: p, env} = environment(ctx)
      return {status: 200, body: environmentView(ctx.state, p, env)}
    })
    .add('GET', `${ENVIRONMENT}/providers`, (ctx) => ({status: 200, body: environment(ctx).env.providers.map(providerView)}))
    .add('GET', `${ENVIRONMENT}/secrets`, (ctx) => {
      const {env} = environment(ctx)
      // A scoped token (tokens/issue) sees only its scopes.
      return {status: 200, body: limitAllSecrets(ctx.state, ctx.principal, env, allSecretsView(ctx.state, env)), secretBearing: true}
    })
    .add('GET', `${ENVIRONMENT}/secrets/version`, (ctx) => ({status: 200, body: secretsVersionView(environment(ctx).env)}))
    .add('GET', `${PROVIDER}/secrets`, (ctx) => {
      const found = provider(ctx)
      return {status: 200, body: limitProviderItems(ctx.state, ctx.principal, found, secretItemsView(found)), secretBearing: true}
    })
    .add('GET', `${PROVIDER}/secrets/hash`, (ctx) => {
      const view = secretsHashView(ctx.state, provider(ctx))
      // The spec lists a 304 for this endpoint; honouring If-None-Match makes an idle poll tiny.
      const etag = `"${view.hash}"`
      const headers = {ETag: etag}
      if (headerValue(ctx.request.headers, 'if-none-match') === etag) return {status: 304, headers}
      return {status: 200, body: view, headers}
    })
}
