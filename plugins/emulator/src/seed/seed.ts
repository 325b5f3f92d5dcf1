/**
 * The emulator's seed: which projects, environments, providers, secrets, API keys and bearer
 * tokens exist when it starts. `EmulatorSeed` is the shape as written (YAML or a test's object
 * literal); `resolveSeed` validates it and fills in everything left out, so the rest of the
 * emulator only ever sees a complete `ResolvedSeed`.
 *
 * Validation errors carry the path of the offending value, which the YAML loader turns into
 * file:line:col.
 */
import {createHash, randomBytes} from 'node:crypto'
import {resolveOidc, type ResolvedOidcIssuer, type SeedOidcIssuer} from './oidc-seed.js'
import {DATABASE_PROVIDER_KEYS, resolveDatabaseProvider, type ResolvedDatabaseProvider, type SeedDatabaseRole} from '../dynamic/seed-database.js'
import {describeSeedPath, SeedError, type SeedPath} from './seed-error.js'

export {describeSeedPath, SeedError, type SeedPath} from './seed-error.js'

export interface EmulatorSeed {
  tenant?: SeedTenant
  /** API keys; when omitted, one key for the first environment of the first project is generated. */
  keys?: SeedApiKey[]
  /** Bearer tokens accepted in `Authorization: Bearer …`. */
  tokens?: SeedToken[]
  /** OIDC issuers trusted for keyless workload identity (POST /api/v1/token); see oidc-seed.ts. */
  oidc?: SeedOidcIssuer[]
  projects: SeedProject[]
}

export interface SeedTenant {
  id?: string
  slug?: string
  name?: string
}

export interface SeedApiKey {
  /** A whole `bax-{id}-{secret}` key; exclusive with `id`/`secret`. */
  key?: string
  /** Key id (letters and digits, no `-`); generated when omitted. */
  id?: string
  /** Signing secret as even-length hex; generated when omitted. */
  secret?: string
  name?: string
  /** Project slug or id the key is scoped to. */
  project: string
  /** Environment slug or id; omitted means a project-level key (every environment of the project). */
  environment?: string
  /** Reported by keys/me; defaults to CONSUMER. */
  role?: string
  /** ISO-8601 date-time after which the key is refused. */
  expires?: string | Date
  revoked?: boolean
}

export interface SeedToken {
  token: string
  id?: string
  project: string
  environment?: string
  role?: string
  expires?: string | Date
  revoked?: boolean
}

export interface SeedProject {
  slug: string
  name?: string
  id?: string
  description?: string
  environments?: SeedEnvironment[]
}

export interface SeedEnvironment {
  slug: string
  name?: string
  id?: string
  description?: string
  providers?: SeedProvider[]
}

export interface SeedProvider {
  slug: string
  name?: string
  /** Provider kind as the API reports it (`vault`, `aws`, `postgres`, …); defaults to `vault`. */
  type?: string
  id?: string
  description?: string
  region?: string
  /** `KEY: value`, or `KEY: {value, description, type}`. */
  secrets?: Record<string, string | SeedSecret>
  /** Database providers (`type: postgres`) only: dynamic credentials, see dynamic/seed-database.ts. */
  database?: string
  defaultTtl?: number
  maxTtl?: number
  roles?: Record<string, SeedDatabaseRole>
}

export interface SeedSecret {
  value: string
  description?: string
  type?: string
}

export interface ResolvedSeed {
  tenant: {id: string; slug: string; name: string}
  projects: ResolvedProject[]
  keys: ResolvedApiKey[]
  tokens: ResolvedToken[]
  oidc?: ResolvedOidcIssuer[]
}

export interface ResolvedProject {
  id: string
  slug: string
  name: string
  description: string | null
  environments: ResolvedEnvironment[]
}

export interface ResolvedEnvironment {
  id: string
  slug: string
  name: string
  description: string | null
  providers: ResolvedProvider[]
}

export interface ResolvedProvider {
  /** The provider's own id (`providerId` on the wire). */
  id: string
  /** The id of its assignment to the environment (`id` on the wire). */
  assignmentId: string
  slug: string
  name: string
  type: string
  description: string | null
  region: string | null
  secrets: ResolvedSecret[]
  /** Dynamic database credentials; null for a provider that is not a database provider. */
  dynamic: ResolvedDatabaseProvider | null
}

export interface ResolvedSecret {
  key: string
  value: string
  description: string | null
  type: string | null
}

export interface ResolvedGrant {
  projectId: string
  environmentId: string | null
  role: string
  expires: Date | null
  revoked: boolean
}

export interface ResolvedApiKey extends ResolvedGrant {
  id: string
  secretHex: string
  name: string
}

export interface ResolvedToken extends ResolvedGrant {
  id: string
  token: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX = /^(?:[0-9a-fA-F]{2})+$/
const KEY_ID = /^[A-Za-z0-9]+$/

/**
 * A stable UUID for something the seed did not give an id, so the same seed always yields the same
 * ids (RFC 9562 version 8: a custom, name-derived layout).
 */
export function derivedUuid(name: string): string {
  const bytes = createHash('sha256').update(`bella-emulator:${name}`).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

// --- small typed readers that fail with the path of what they read ---------------------------

type Obj = Record<string, unknown>

/** A mapping; with `allowed`, any other key is an error (typos must not be silently ignored). */
function objectAt(value: unknown, path: SeedPath, allowed?: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    throw new SeedError(path, `${describeSeedPath(path)} must be a mapping`)
  }
  if (!allowed) return value as Obj
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new SeedError([...path, key], `unknown key "${key}" in ${describeSeedPath(path)} (expected one of: ${allowed.join(', ')})`, {
        atKey: true,
      })
    }
  }
  return value as Obj
}

function listAt(obj: Obj, key: string, path: SeedPath): unknown[] {
  const value = obj[key]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be a list`)
  return value
}

function optionalString(obj: Obj, key: string, path: SeedPath): string | undefined {
  const value = obj[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be a string`)
  return value
}

function requiredString(obj: Obj, key: string, path: SeedPath): string {
  const value = optionalString(obj, key, path)
  if (value === undefined) throw new SeedError(path, `${describeSeedPath(path)} needs "${key}"`)
  if (value.trim() === '') throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must not be empty`)
  return value
}

function optionalBoolean(obj: Obj, key: string, path: SeedPath): boolean | undefined {
  const value = obj[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be true or false`)
  return value
}

function optionalUuid(obj: Obj, key: string, path: SeedPath): string | undefined {
  const value = optionalString(obj, key, path)
  if (value !== undefined && !UUID.test(value)) {
    throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be a UUID (8-4-4-4-12 hex digits)`)
  }
  return value?.toLowerCase()
}

function optionalDate(obj: Obj, key: string, path: SeedPath): Date | null {
  const value = obj[key]
  if (value === undefined || value === null) return null
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be an ISO-8601 date-time, e.g. 2030-01-01T00:00:00Z`)
  }
  return date
}

/** Slugs travel in URL paths: no `/`, no surrounding whitespace. */
function slugAt(obj: Obj, path: SeedPath): string {
  const slug = requiredString(obj, 'slug', path)
  if (slug.includes('/') || slug.trim() !== slug) {
    throw new SeedError([...path, 'slug'], `${describeSeedPath([...path, 'slug'])} must not contain "/" or surrounding spaces`)
  }
  return slug
}

function unique(seen: Map<string, SeedPath>, value: string, path: SeedPath, what: string): void {
  const first = seen.get(value)
  if (first) throw new SeedError(path, `duplicate ${what} "${value}" (first defined at ${describeSeedPath(first)})`)
  seen.set(value, path)
}

// --- the seed ------------------------------------------------------------------------------

export function resolveSeed(input: unknown): ResolvedSeed {
  const root = objectAt(input, [], ['tenant', 'keys', 'tokens', 'projects', 'oidc'])
  const tenant = resolveTenant(root.tenant)
  const projectsRaw = listAt(root, 'projects', [])
  if (projectsRaw.length === 0) throw new SeedError([], 'the seed needs at least one entry under "projects"')

  const ids = new Map<string, SeedPath>()
  const projectSlugs = new Map<string, SeedPath>()
  const projects = projectsRaw.map((raw, i) => resolveProject(raw, ['projects', i], ids, projectSlugs))

  const keyIds = new Map<string, SeedPath>()
  const keysRaw = root.keys === undefined || root.keys === null ? undefined : listAt(root, 'keys', [])
  const keys = keysRaw
    ? keysRaw.map((raw, i) => {
        const key = resolveApiKey(raw, ['keys', i], projects)
        unique(keyIds, key.id, ['keys', i], 'API key id')
        return key
      })
    : [defaultKey(projects)]

  const tokenValues = new Map<string, SeedPath>()
  const tokens = listAt(root, 'tokens', []).map((raw, i) => {
    const token = resolveToken(raw, ['tokens', i], projects)
    unique(tokenValues, token.token, ['tokens', i, 'token'], 'token')
    return token
  })

  return {tenant, projects, keys, tokens, oidc: resolveOidc(root.oidc, projects)}
}

function resolveTenant(raw: unknown): ResolvedSeed['tenant'] {
  const obj = raw === undefined || raw === null ? {} : objectAt(raw, ['tenant'], ['id', 'slug', 'name'])
  const slug = optionalString(obj, 'slug', ['tenant']) ?? 'local'
  return {
    id: optionalUuid(obj, 'id', ['tenant']) ?? derivedUuid(`tenant:${slug}`),
    slug,
    name: optionalString(obj, 'name', ['tenant']) ?? 'Local emulator',
  }
}

// Slugs are checked for duplicates before ids, because a duplicate slug also duplicates the
// derived id and "duplicate slug" is the message that helps.
function resolveProject(raw: unknown, path: SeedPath, ids: Map<string, SeedPath>, siblings: Map<string, SeedPath>): ResolvedProject {
  const obj = objectAt(raw, path, ['slug', 'name', 'id', 'description', 'environments'])
  const slug = slugAt(obj, path)
  unique(siblings, slug, [...path, 'slug'], 'project slug')
  const id = optionalUuid(obj, 'id', path) ?? derivedUuid(`project:${slug}`)
  unique(ids, id, [...path, 'id'], 'id')
  const envSlugs = new Map<string, SeedPath>()
  const environments = listAt(obj, 'environments', path).map((envRaw, i) =>
    resolveEnvironment(envRaw, [...path, 'environments', i], slug, ids, envSlugs),
  )
  return {
    id,
    slug,
    name: optionalString(obj, 'name', path) ?? slug,
    description: optionalString(obj, 'description', path) ?? null,
    environments,
  }
}

function resolveEnvironment(
  raw: unknown,
  path: SeedPath,
  projectSlug: string,
  ids: Map<string, SeedPath>,
  siblings: Map<string, SeedPath>,
): ResolvedEnvironment {
  const obj = objectAt(raw, path, ['slug', 'name', 'id', 'description', 'providers'])
  const slug = slugAt(obj, path)
  unique(siblings, slug, [...path, 'slug'], `environment slug in project "${projectSlug}"`)
  const id = optionalUuid(obj, 'id', path) ?? derivedUuid(`environment:${projectSlug}/${slug}`)
  unique(ids, id, [...path, 'id'], 'id')
  const providerSlugs = new Map<string, SeedPath>()
  const providers = listAt(obj, 'providers', path).map((providerRaw, i) =>
    resolveProvider(providerRaw, [...path, 'providers', i], `${projectSlug}/${slug}`, ids, providerSlugs),
  )
  return {
    id,
    slug,
    name: optionalString(obj, 'name', path) ?? slug,
    description: optionalString(obj, 'description', path) ?? null,
    providers,
  }
}

function resolveProvider(
  raw: unknown,
  path: SeedPath,
  scope: string,
  ids: Map<string, SeedPath>,
  siblings: Map<string, SeedPath>,
): ResolvedProvider {
  const obj = objectAt(raw, path, ['slug', 'name', 'type', 'id', 'description', 'region', 'secrets', ...DATABASE_PROVIDER_KEYS])
  const slug = slugAt(obj, path)
  unique(siblings, slug, [...path, 'slug'], `provider slug in environment "${scope}"`)
  const id = optionalUuid(obj, 'id', path) ?? derivedUuid(`provider:${scope}/${slug}`)
  unique(ids, id, [...path, 'id'], 'id')
  const secretsRaw = obj.secrets === undefined || obj.secrets === null ? {} : objectAt(obj.secrets, [...path, 'secrets'])
  const secrets = Object.entries(secretsRaw).map(([key, value]) => resolveSecret(key, value, [...path, 'secrets', key]))
  const type = optionalString(obj, 'type', path) ?? 'vault'
  return {
    id,
    assignmentId: derivedUuid(`assignment:${scope}/${slug}`),
    slug,
    name: optionalString(obj, 'name', path) ?? slug,
    type,
    description: optionalString(obj, 'description', path) ?? null,
    region: optionalString(obj, 'region', path) ?? null,
    secrets,
    dynamic: resolveDatabaseProvider(obj, path, type),
  }
}

function resolveSecret(key: string, raw: unknown, path: SeedPath): ResolvedSecret {
  // Any name is allowed on purpose, even PATH or LD_PRELOAD: clients must be testable against
  // secrets a careless admin could store, including names they are meant to withhold.
  if (key === '') throw new SeedError(path, 'a secret name must not be empty')
  if (typeof raw === 'string') return {key, value: raw, description: null, type: null}
  if (raw === null || raw === undefined || typeof raw !== 'object') {
    throw new SeedError(path, `secret ${key} must be a string or a mapping with "value" (quote numbers and booleans in JS seeds)`)
  }
  const obj = objectAt(raw, path, ['value', 'description', 'type'])
  const value = optionalString(obj, 'value', path)
  if (value === undefined) throw new SeedError(path, `secret ${key} needs "value"`)
  return {
    key,
    value,
    description: optionalString(obj, 'description', path) ?? null,
    type: optionalString(obj, 'type', path) ?? null,
  }
}

/** Resolves a key's or token's `project` + `environment` references (slug or id). */
function resolveGrant(obj: Obj, path: SeedPath, projects: ResolvedProject[]): ResolvedGrant {
  const projectRef = requiredString(obj, 'project', path)
  const project = projects.find((p) => p.slug === projectRef || p.id === projectRef.toLowerCase())
  if (!project) throw new SeedError([...path, 'project'], `${describeSeedPath(path)} names project "${projectRef}", which the seed does not define`)
  const envRef = optionalString(obj, 'environment', path)
  let environmentId: string | null = null
  if (envRef !== undefined) {
    const env = project.environments.find((e) => e.slug === envRef || e.id === envRef.toLowerCase())
    if (!env) {
      throw new SeedError([...path, 'environment'], `${describeSeedPath(path)} names environment "${envRef}", which project "${project.slug}" does not define`)
    }
    environmentId = env.id
  }
  return {
    projectId: project.id,
    environmentId,
    role: optionalString(obj, 'role', path) ?? 'CONSUMER',
    expires: optionalDate(obj, 'expires', path),
    revoked: optionalBoolean(obj, 'revoked', path) ?? false,
  }
}

function resolveApiKey(raw: unknown, path: SeedPath, projects: ResolvedProject[]): ResolvedApiKey {
  const obj = objectAt(raw, path, ['key', 'id', 'secret', 'name', 'project', 'environment', 'role', 'expires', 'revoked'])
  let id = optionalString(obj, 'id', path)
  let secretHex = optionalString(obj, 'secret', path)
  const whole = optionalString(obj, 'key', path)
  if (whole !== undefined) {
    if (id !== undefined || secretHex !== undefined) throw new SeedError(path, `${describeSeedPath(path)}: give either "key" or "id"/"secret", not both`)
    const parts = whole.split('-')
    if (parts.length !== 3 || parts[0] !== 'bax') throw new SeedError([...path, 'key'], `${describeSeedPath([...path, 'key'])} must have the form bax-<id>-<hex secret>`)
    id = parts[1]
    secretHex = parts[2]
  }
  if (id !== undefined && !KEY_ID.test(id)) throw new SeedError([...path, whole ? 'key' : 'id'], 'an API key id must be letters and digits only (no "-")')
  if (secretHex !== undefined && !HEX.test(secretHex)) {
    throw new SeedError([...path, whole ? 'key' : 'secret'], 'an API key secret must be an even number of hex digits')
  }
  const grant = resolveGrant(obj, path, projects)
  return {
    ...grant,
    id: id ?? randomBytes(16).toString('hex'),
    secretHex: (secretHex ?? randomBytes(32).toString('hex')).toLowerCase(),
    name: optionalString(obj, 'name', path) ?? 'emulator key',
  }
}

function resolveToken(raw: unknown, path: SeedPath, projects: ResolvedProject[]): ResolvedToken {
  const obj = objectAt(raw, path, ['token', 'id', 'project', 'environment', 'role', 'expires', 'revoked'])
  const token = requiredString(obj, 'token', path)
  return {
    ...resolveGrant(obj, path, projects),
    token,
    id: optionalString(obj, 'id', path) ?? derivedUuid(`token:${token}`),
  }
}

function defaultKey(projects: ResolvedProject[]): ResolvedApiKey {
  const project = projects[0]!
  return {
    id: randomBytes(16).toString('hex'),
    secretHex: randomBytes(32).toString('hex'),
    name: 'emulator key',
    projectId: project.id,
    environmentId: project.environments[0]?.id ?? null,
    role: 'CONSUMER',
    expires: null,
    revoked: false,
  }
}
