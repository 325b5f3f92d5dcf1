/**
 * The emulator's in-memory world: projects → environments → providers → secrets, plus the API
 * keys and bearer tokens it accepts. Every write goes through `changeSecrets`, which is what keeps
 * the environment `version` and the per-provider hashes honest: the version moves on every change
 * and a provider's hash moves exactly when that provider's secrets do.
 */
import {createHash} from 'node:crypto'
import {badRequest, HttpError, notFound} from './http.js'
import type {ResolvedGrant, ResolvedSeed, ResolvedToken} from './seed/seed.js'
import type {ResolvedDatabaseProvider} from './dynamic/seed-database.js'
import type {ResolvedOidcIssuer} from './seed/oidc-seed.js'

export interface SecretRecord {
  key: string
  value: string
  description: string | null
  type: string | null
  createdAt: Date
  updatedAt: Date
  /** The current version of this secret (1 when seeded); every change of value adds one. */
  version: number
  /** Every value it has had, oldest first (getSecretVersion, listSecretVersions). */
  history: SecretVersionRecord[]
}

export interface SecretVersionRecord {
  version: number
  value: string
  createdAt: Date
}

export interface ProviderState {
  id: string
  assignmentId: string
  slug: string
  name: string
  type: string
  description: string | null
  region: string | null
  assignedAt: Date
  secrets: Map<string, SecretRecord>
  /** Cached `{hash, computedAt}`; dropped whenever the provider's secrets change. */
  hashCache: {hash: string; computedAt: Date} | undefined
  /** Database providers: the roles it issues dynamic credentials for (dynamic/); else null. */
  dynamic: ResolvedDatabaseProvider | null
}

export interface EnvironmentState {
  id: string
  slug: string
  name: string
  description: string | null
  createdAt: Date
  updatedAt: Date
  version: number
  lastModified: Date
  /** In merge order: when two providers hold the same key, the later one wins. */
  providers: ProviderState[]
}

export interface ProjectState {
  id: string
  slug: string
  name: string
  description: string | null
  createdAt: Date
  updatedAt: Date
  environments: EnvironmentState[]
}

export interface GrantState {
  projectId: string
  /** Null for a project-level credential, which may read every environment of its project. */
  environmentId: string | null
  role: string
  expires: Date | null
  revoked: boolean
}

export interface ApiKeyState extends GrantState {
  id: string
  /** Hex-decoded signing secret. */
  secret: Buffer
  name: string
  // Bookkeeping for the API-key endpoints (routes/key-routes.ts); absent on seed keys until used.
  description?: string | null
  createdAt?: Date
  lastUsedAt?: Date | null
  usageCount?: number
  revokedAt?: Date | null
  /** Set on keys from `tokens/issue`: the scopes the key is limited to (auth/token-scope.ts). */
  scopes?: string[] | null
}

export interface TokenState extends GrantState {
  id: string
  token: string
}

/** Who a request was authenticated as. */
export interface Principal extends GrantState {
  kind: 'api-key' | 'token'
  id: string
}

export interface SecretsChange {
  set?: Record<string, string>
  unset?: string[]
  /** Bump the version even if nothing changed (lets tests exercise "version moved, values did not"). */
  bump?: boolean
  /**
   * Set the environment's version to exactly this afterwards, even lower than it was: a server
   * reset or restore, whose edits can land on a version number a client already saw.
   */
  version?: number
}

export interface SecretsChangeResult {
  environmentSlug: string
  version: number
  lastModified: string
  /** Keys whose value was added, changed or removed. */
  changed: string[]
  providers: Array<{providerSlug: string; hash: string; secretCount: number}>
}

export class EmulatorState {
  readonly tenant: ResolvedSeed['tenant']
  readonly projects: ProjectState[]
  readonly apiKeys: ApiKeyState[]
  readonly tokens: TokenState[]
  /** OIDC issuers trusted by POST /api/v1/token (seed `oidc:`). */
  readonly oidc: ResolvedOidcIssuer[]
  private readonly now: () => Date

  constructor(seed: ResolvedSeed, now: () => Date) {
    this.now = now
    const started = now()
    this.tenant = seed.tenant
    this.projects = seed.projects.map((p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      createdAt: started,
      updatedAt: started,
      environments: p.environments.map((e) => ({
        id: e.id,
        slug: e.slug,
        name: e.name,
        description: e.description,
        createdAt: started,
        updatedAt: started,
        version: 1,
        lastModified: started,
        providers: e.providers.map((v) => ({
          id: v.id,
          assignmentId: v.assignmentId,
          slug: v.slug,
          name: v.name,
          type: v.type,
          description: v.description,
          region: v.region,
          assignedAt: started,
          hashCache: undefined,
          dynamic: v.dynamic,
          secrets: new Map(
            v.secrets.map((s) => [s.key, {...s, createdAt: started, updatedAt: started, version: 1, history: [{version: 1, value: s.value, createdAt: started}]}] as const),
          ),
        })),
      })),
    }))
    this.apiKeys = seed.keys.map((k) => ({...grantOf(k), id: k.id, name: k.name, secret: Buffer.from(k.secretHex, 'hex'), createdAt: started}))
    this.tokens = seed.tokens.map((t) => ({...grantOf(t), id: t.id, token: t.token}))
    this.oidc = seed.oidc ?? []
  }

  // --- lookups (by slug or id, as `{projectRef}` accepts both) --------------------------------

  findProject(ref: string): ProjectState | undefined {
    const lower = ref.toLowerCase()
    return this.projects.find((p) => p.slug === ref || p.id === lower)
  }

  requireProject(ref: string): ProjectState {
    const project = this.findProject(ref)
    if (!project) throw notFound(`project "${ref}" was not found`)
    return project
  }

  requireEnvironment(project: ProjectState, ref: string): EnvironmentState {
    const lower = ref.toLowerCase()
    const env = project.environments.find((e) => e.slug === ref || e.id === lower)
    if (!env) throw notFound(`environment "${ref}" was not found in project "${project.slug}"`)
    return env
  }

  requireProvider(env: EnvironmentState, ref: string): ProviderState {
    const lower = ref.toLowerCase()
    const provider = env.providers.find((v) => v.slug === ref || v.id === lower)
    if (!provider) throw notFound(`provider "${ref}" is not assigned to environment "${env.slug}"`)
    return provider
  }

  projectOf(env: EnvironmentState): ProjectState {
    return this.projects.find((p) => p.environments.includes(env))!
  }

  apiKey(id: string): ApiKeyState | undefined {
    return this.apiKeys.find((k) => k.id === id)
  }

  token(value: string): TokenState | undefined {
    return this.tokens.find((t) => t.token === value)
  }

  // --- derived views ---------------------------------------------------------------------------

  /** Every provider's secrets in one map; later providers win on a key collision. */
  mergedSecrets(env: EnvironmentState): Record<string, string> {
    // A Map, then fromEntries: `out[key] = …` would make a secret named `__proto__` vanish.
    const merged = new Map<string, string>()
    for (const provider of env.providers) for (const [key, record] of provider.secrets) merged.set(key, record.value)
    return Object.fromEntries(merged)
  }

  /** A content hash: identical secrets give an identical hash, any change gives a new one. */
  providerHash(provider: ProviderState): {hash: string; computedAt: Date} {
    if (!provider.hashCache) {
      const entries = [...provider.secrets.values()].map((s) => [s.key, s.value]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
      provider.hashCache = {hash: createHash('sha256').update(JSON.stringify(entries)).digest('hex'), computedAt: this.now()}
    }
    return provider.hashCache
  }

  // --- writes ----------------------------------------------------------------------------------

  /**
   * Sets and removes secrets. With a provider, the change applies to that provider only. Without
   * one, a `set` updates the provider whose value is currently served (the last holding the key)
   * or else the first provider, and an `unset` removes the key from every provider.
   */
  changeSecrets(env: EnvironmentState, providerRef: string | undefined, change: SecretsChange): SecretsChangeResult {
    const set = change.set ?? {}
    const unset = change.unset ?? []
    for (const key of unset) if (Object.hasOwn(set, key)) throw badRequest(`"${key}" is both set and unset`)
    if (change.version !== undefined && !(Number.isSafeInteger(change.version) && change.version >= 0)) {
      throw badRequest('"version" must be a whole number from 0')
    }
    for (const [key, value] of Object.entries(set)) {
      if (key === '') throw badRequest('a secret name must not be empty')
      if (typeof value !== 'string') throw badRequest(`the value of "${key}" must be a string`)
    }
    const only = providerRef === undefined ? undefined : this.requireProvider(env, providerRef)
    if (!only && env.providers.length === 0 && Object.keys(set).length > 0) {
      throw new HttpError(409, `environment "${env.slug}" has no provider to hold secrets`)
    }

    const at = this.now()
    const changed = new Set<string>()
    const touched = new Set<ProviderState>()
    for (const [key, value] of Object.entries(set)) {
      const provider = only ?? [...env.providers].reverse().find((v) => v.secrets.has(key)) ?? env.providers[0]!
      const existing = provider.secrets.get(key)
      if (existing?.value === value) continue
      provider.secrets.set(key, existing ? nextVersion(existing, value, at) : firstVersion(key, value, at))
      changed.add(key)
      touched.add(provider)
    }
    for (const key of unset) {
      for (const provider of only ? [only] : env.providers) {
        if (provider.secrets.delete(key)) {
          changed.add(key)
          touched.add(provider)
        }
      }
    }
    for (const provider of touched) provider.hashCache = undefined
    if (changed.size > 0 || change.bump || change.version !== undefined) {
      env.version = change.version ?? env.version + 1
      env.lastModified = at
      env.updatedAt = at
    }
    return {
      environmentSlug: env.slug,
      version: env.version,
      lastModified: env.lastModified.toISOString(),
      changed: [...changed],
      providers: env.providers.map((v) => ({providerSlug: v.slug, hash: this.providerHash(v).hash, secretCount: v.secrets.size})),
    }
  }

  revokeApiKey(id: string): boolean {
    const key = this.apiKey(id)
    if (key && !key.revoked) {
      key.revoked = true
      key.revokedAt = this.now()
    }
    return key !== undefined
  }

  /** Adds a bearer token (the later token-issue endpoint will mint these). */
  addToken(token: Omit<ResolvedToken, 'revoked'> & {revoked?: boolean}): TokenState {
    if (this.token(token.token)) throw badRequest('that token already exists')
    const state: TokenState = {...grantOf({...token, revoked: token.revoked ?? false}), id: token.id, token: token.token}
    this.tokens.push(state)
    return state
  }
}

function firstVersion(key: string, value: string, at: Date): SecretRecord {
  return {key, value, description: null, type: null, createdAt: at, updatedAt: at, version: 1, history: [{version: 1, value, createdAt: at}]}
}

function nextVersion(existing: SecretRecord, value: string, at: Date): SecretRecord {
  const version = existing.version + 1
  return {...existing, value, updatedAt: at, version, history: [...existing.history, {version, value, createdAt: at}]}
}

/** Just the grant of a seed entry or stored credential, so a Principal never carries its secret. */
export function grantOf(grant: ResolvedGrant | GrantState): GrantState {
  return {
    projectId: grant.projectId,
    environmentId: grant.environmentId,
    role: grant.role,
    expires: grant.expires,
    revoked: grant.revoked,
  }
}
