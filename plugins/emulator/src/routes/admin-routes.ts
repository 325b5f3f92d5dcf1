/**
 * Emulator-only control routes under `/__emulator/…`. They are signed like any API call (so the
 * CLI can use its normal client), accept any valid credential regardless of its scope (whoever
 * holds a key to the emulator is its operator), and are never subject to injected faults.
 *
 *   POST   /__emulator/projects/{p}/environments/{e}/secrets                 {set?, unset?, bump?, version?}
 *   POST   /__emulator/projects/{p}/environments/{e}/providers/{v}/secrets   {set?, unset?, bump?}
 *   GET    /__emulator/faults                                                → {faults: [...]}
 *   POST   /__emulator/faults                                                FaultSpec → 201 Fault
 *   DELETE /__emulator/faults                                                → {cleared: n}
 *   POST   /__emulator/keys/{keyId}/revoke                                   → {keyId, revoked: true}
 */
import {parseFaultSpec} from '../faults.js'
import {badRequest, jsonObjectBody, notFound, type IncomingRequest} from '../http.js'
import type {Router} from '../router.js'
import type {SecretsChange} from '../state.js'
import type {Handler, HandlerContext} from './context.js'

export const ADMIN_PREFIX = '/__emulator'

export function isAdminPath(rawPath: string): boolean {
  return rawPath === ADMIN_PREFIX || rawPath.startsWith(`${ADMIN_PREFIX}/`)
}

/** Validates `{set?: {K: "v"}, unset?: ["K"], bump?: boolean, version?: number}` (version: set it exactly, a reset). */
export function parseSecretsChange(request: IncomingRequest): SecretsChange {
  const body = jsonObjectBody(request)
  const unknown = Object.keys(body).filter((k) => !['set', 'unset', 'bump', 'version'].includes(k))
  if (unknown.length > 0) throw badRequest(`unknown field(s): ${unknown.join(', ')} (expected set, unset, bump, version)`)
  const change: SecretsChange = {}
  if (body.set !== undefined) {
    if (typeof body.set !== 'object' || body.set === null || Array.isArray(body.set)) throw badRequest('"set" must be an object of name → string value')
    for (const [key, value] of Object.entries(body.set)) {
      if (typeof value !== 'string') throw badRequest(`"set.${key}" must be a string`)
    }
    change.set = body.set as Record<string, string>
  }
  if (body.unset !== undefined) {
    if (!Array.isArray(body.unset) || !body.unset.every((k) => typeof k === 'string')) throw badRequest('"unset" must be an array of names')
    change.unset = body.unset as string[]
  }
  if (body.bump !== undefined) {
    if (typeof body.bump !== 'boolean') throw badRequest('"bump" must be true or false')
    change.bump = body.bump
  }
  if (body.version !== undefined) {
    if (!Number.isSafeInteger(body.version) || (body.version as number) < 0) throw badRequest('"version" must be a whole number from 0')
    change.version = body.version as number
  }
  if (!change.set && !change.unset && !change.bump && change.version === undefined) throw badRequest('nothing to do: give "set", "unset", "bump" or "version"')
  return change
}

function changeSecrets(ctx: HandlerContext, providerRef: string | undefined) {
  const project = ctx.state.requireProject(ctx.params.projectRef!)
  const env = ctx.state.requireEnvironment(project, ctx.params.envSlug!)
  return {status: 200, body: ctx.state.changeSecrets(env, providerRef, parseSecretsChange(ctx.request))}
}

export function addAdminRoutes(router: Router<Handler>): void {
  const env = `${ADMIN_PREFIX}/projects/:projectRef/environments/:envSlug`
  router
    .add('POST', `${env}/secrets`, (ctx) => changeSecrets(ctx, undefined))
    .add('POST', `${env}/providers/:providerSlug/secrets`, (ctx) => changeSecrets(ctx, ctx.params.providerSlug!))
    .add('GET', `${ADMIN_PREFIX}/faults`, (ctx) => ({status: 200, body: {faults: ctx.faults.list()}}))
    .add('POST', `${ADMIN_PREFIX}/faults`, (ctx) => {
      const parsed = parseFaultSpec(jsonObjectBody(ctx.request))
      if (!parsed.ok) throw badRequest(parsed.reason)
      return {status: 201, body: ctx.faults.add(parsed.spec)}
    })
    .add('DELETE', `${ADMIN_PREFIX}/faults`, (ctx) => {
      const cleared = ctx.faults.list().length
      ctx.faults.clear()
      return {status: 200, body: {cleared}}
    })
    .add('POST', `${ADMIN_PREFIX}/keys/:keyId/revoke`, (ctx) => {
      if (!ctx.state.revokeApiKey(ctx.params.keyId!)) throw notFound('no API key with that id')
      return {status: 200, body: {keyId: ctx.params.keyId, revoked: true}}
    })
}
