/**
 * What a scoped token (a key from `POST …/tokens/issue`) may see, and who may manage keys.
 *
 * A scope is one of:
 *   - `provider:<slug>`: every secret served by that provider of the environment;
 *   - `*`: every secret of the environment;
 *   - anything else: a secret-name prefix, compared case-insensitively, so `stripe` reaches
 *     `STRIPE_API_KEY` and `STRIPE_WEBHOOK_SECRET` but not `DATABASE_URL`.
 * Scopes are enforced on the reads that carry values (`GET …/secrets`, `GET …/providers/{v}/secrets`),
 * which are filtered; metadata (keys/me, project, environment, providers, version, hash) stays
 * readable so a client can find its way. A scoped token can never create keys, list them or issue
 * tokens.
 *
 * Managing keys (create, revoke, issue tokens) needs the environment in the credential's scope and a
 * role of MANAGER, ADMIN or OWNER (case-insensitive); CONSUMER and other roles may only read.
 */
import {forbidden} from '../http.js'
import type {EmulatorState, EnvironmentState, Principal, ProjectState, ProviderState} from '../state.js'
import {assertEnvironmentInScope} from './scope.js'

const ROLE_RANK: Record<string, number> = {MANAGER: 1, ADMIN: 2, OWNER: 3}

export function roleRank(role: string): number {
  return ROLE_RANK[role.toUpperCase()] ?? 0
}

export function canManage(role: string): boolean {
  return roleRank(role) > 0
}

/** The scopes the principal is limited to, or undefined for an unscoped credential. */
export function scopesOf(state: EmulatorState, principal: Principal): string[] | undefined {
  if (principal.kind !== 'api-key') return undefined
  return state.apiKey(principal.id)?.scopes ?? undefined
}

export function secretInScope(scopes: readonly string[], name: string, providerSlug: string): boolean {
  const upper = name.toUpperCase()
  return scopes.some((scope) => {
    if (scope === '*') return true
    if (scope.startsWith('provider:')) return scope.slice('provider:'.length) === providerSlug
    return upper.startsWith(scope.toUpperCase())
  })
}

/** `AllEnvironmentSecretsResponse` with only the secrets in scope (merge order as usual). */
export function limitAllSecrets<T extends {secrets: Record<string, string>}>(
  state: EmulatorState,
  principal: Principal,
  env: EnvironmentState,
  view: T,
): T {
  const scopes = scopesOf(state, principal)
  if (!scopes) return view
  // Judged on the value actually served: the last provider holding the key wins the merge.
  const servedBy = new Map<string, string>()
  for (const provider of env.providers) for (const key of provider.secrets.keys()) servedBy.set(key, provider.slug)
  // fromEntries, not assignments: a secret named `__proto__` is data like any other.
  const secrets = Object.fromEntries(Object.entries(view.secrets).filter(([key]) => secretInScope(scopes, key, servedBy.get(key) ?? '')))
  return {...view, secrets}
}

/** The listSecrets items with only those in scope. */
export function limitProviderItems<T extends {key: string}>(state: EmulatorState, principal: Principal, provider: ProviderState, items: T[]): T[] {
  const scopes = scopesOf(state, principal)
  if (!scopes) return items
  return items.filter((item) => secretInScope(scopes, item.key, provider.slug))
}

/** The principal may read this environment's key list: in scope and not itself a scoped token. */
export function assertCanReadKeys(state: EmulatorState, principal: Principal, project: ProjectState, env: EnvironmentState): void {
  assertEnvironmentInScope(principal, project, env)
  if (scopesOf(state, principal)) throw forbidden('a scoped token may only read the secrets it was issued for')
}

/** The principal may create and revoke keys and issue tokens in this environment. */
export function assertCanManage(state: EmulatorState, principal: Principal, project: ProjectState, env: EnvironmentState): void {
  assertCanReadKeys(state, principal, project, env)
  if (!canManage(principal.role)) {
    throw forbidden(
      `role ${principal.role} may not manage environment "${env.slug}" of project "${project.slug}": creating or revoking API keys and issuing tokens needs MANAGER, ADMIN or OWNER`,
    )
  }
}
