/**
 * The seed keys of a database provider (`type: postgres`): the roles it can issue credentials for
 * and their lease lengths.
 *
 *   - slug: pg
 *     type: postgres
 *     database: app            # optional: default the admin URL's database
 *     defaultTtl: 3600         # seconds; optional (default 3600)
 *     maxTtl: 86400            # seconds; optional (default 86400); a larger ttlSeconds is refused
 *     roles:
 *       readonly:
 *         default: true        # used when a request names no role (also when it is the only role)
 *         grants:              # each becomes `GRANT <entry> TO "<generated user>"`
 *           - SELECT ON ALL TABLES IN SCHEMA public
 *       migrate:
 *         owner: app_owner     # optional: member of this role, and its sessions SET ROLE to it
 *         grants: [USAGE, CREATE ON SCHEMA public]
 *         maxTtl: 600          # per-role defaultTtl/maxTtl override the provider's
 *
 * Grants are SQL written by whoever writes the seed (like Vault's creation statements): they are
 * trusted, but kept to one statement each (no `;`, no comments). Role names are checked here and
 * never reach SQL as text: the generated user name is derived from them and quoted.
 */
import {describeSeedPath, SeedError, type SeedPath} from '../seed/seed-error.js'
import {MAX_IDENTIFIER_BYTES} from './sql.js'

export const DATABASE_PROVIDER_TYPES: readonly string[] = ['postgres', 'postgresql']
export const DEFAULT_TTL_SECONDS = 3600
export const DEFAULT_MAX_TTL_SECONDS = 86_400
/** The keys this module reads from a provider mapping (seed.ts allows them). */
export const DATABASE_PROVIDER_KEYS: readonly string[] = ['database', 'defaultTtl', 'maxTtl', 'roles']

export interface SeedDatabaseRole {
  grants?: string[]
  owner?: string
  default?: boolean
  defaultTtl?: number
  maxTtl?: number
}

export interface ResolvedDatabaseRole {
  name: string
  grants: string[]
  owner: string | null
  defaultTtl: number
  maxTtl: number
}

export interface ResolvedDatabaseProvider {
  engine: 'postgres'
  /** The database to create users in and run grants against; null: the admin URL's. */
  database: string | null
  /** The role used when a request names none; null when there are several and none is marked. */
  defaultRole: string | null
  roles: ResolvedDatabaseRole[]
}

export function isDatabaseProviderType(type: string): boolean {
  return DATABASE_PROVIDER_TYPES.includes(type.toLowerCase())
}

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/
const ROLE_KEYS = ['grants', 'owner', 'default', 'defaultTtl', 'maxTtl']

type Obj = Record<string, unknown>

function isMapping(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

function seconds(obj: Obj, key: string, path: SeedPath): number | undefined {
  const value = obj[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new SeedError([...path, key], `${describeSeedPath([...path, key])} must be a whole number of seconds, at least 1`)
  }
  return value
}

function identifierish(value: unknown, path: SeedPath, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SeedError(path, `${describeSeedPath(path)} must be a non-empty ${what}`)
  if (Buffer.byteLength(value) > MAX_IDENTIFIER_BYTES || /[\0-\x1f\x7f]/.test(value)) {
    throw new SeedError(path, `${describeSeedPath(path)} must be a PostgreSQL name: at most ${MAX_IDENTIFIER_BYTES} bytes, no control characters`)
  }
  return value
}

/**
 * Reads the database keys of a provider mapping. Returns null for a provider that is not a
 * database provider (and then refuses any of these keys).
 */
export function resolveDatabaseProvider(obj: Obj, path: SeedPath, type: string): ResolvedDatabaseProvider | null {
  if (!isDatabaseProviderType(type)) {
    const stray = DATABASE_PROVIDER_KEYS.find((key) => obj[key] !== undefined)
    if (stray) {
      throw new SeedError([...path, stray], `"${stray}" is only for database providers (type: postgres), and ${describeSeedPath(path)} has type ${type}`, {
        atKey: true,
      })
    }
    return null
  }

  const database = obj.database === undefined || obj.database === null ? null : identifierish(obj.database, [...path, 'database'], 'database name')
  const providerTtl = seconds(obj, 'defaultTtl', path)
  const providerMax = seconds(obj, 'maxTtl', path)
  const rolesRaw = obj.roles === undefined || obj.roles === null ? {} : obj.roles
  if (!isMapping(rolesRaw)) throw new SeedError([...path, 'roles'], `${describeSeedPath([...path, 'roles'])} must be a mapping of role name → {grants, …}`)

  const roles: ResolvedDatabaseRole[] = []
  const defaults: string[] = []
  for (const [name, raw] of Object.entries(rolesRaw)) {
    const rolePath = [...path, 'roles', name]
    if (!ROLE_NAME.test(name)) {
      throw new SeedError(rolePath, `role name "${name}" must be 1–63 letters, digits, "_", "." or "-", starting with a letter or digit`, {atKey: true})
    }
    const role = raw === null || raw === undefined ? {} : raw
    if (!isMapping(role)) throw new SeedError(rolePath, `${describeSeedPath(rolePath)} must be a mapping with "grants"`)
    const unknown = Object.keys(role).find((key) => !ROLE_KEYS.includes(key))
    if (unknown) {
      throw new SeedError([...rolePath, unknown], `unknown key "${unknown}" in ${describeSeedPath(rolePath)} (expected one of: ${ROLE_KEYS.join(', ')})`, {
        atKey: true,
      })
    }
    const grantsRaw = role.grants === undefined || role.grants === null ? [] : role.grants
    if (!Array.isArray(grantsRaw)) throw new SeedError([...rolePath, 'grants'], `${describeSeedPath([...rolePath, 'grants'])} must be a list`)
    const grants = grantsRaw.map((grant, i) => {
      const grantPath = [...rolePath, 'grants', i]
      if (typeof grant !== 'string' || grant.trim() === '') throw new SeedError(grantPath, `${describeSeedPath(grantPath)} must be a non-empty string`)
      if (/[;\0]|--|\/\*/.test(grant)) {
        throw new SeedError(grantPath, `${describeSeedPath(grantPath)} must be one GRANT clause (what comes between GRANT and TO), without ";" or comments`)
      }
      return grant.trim()
    })
    const owner = role.owner === undefined || role.owner === null ? null : identifierish(role.owner, [...rolePath, 'owner'], 'role name')
    if (role.default !== undefined && typeof role.default !== 'boolean') {
      throw new SeedError([...rolePath, 'default'], `${describeSeedPath([...rolePath, 'default'])} must be true or false`)
    }
    if (role.default === true) defaults.push(name)
    const maxTtl = seconds(role, 'maxTtl', rolePath) ?? providerMax ?? DEFAULT_MAX_TTL_SECONDS
    const defaultTtl = seconds(role, 'defaultTtl', rolePath) ?? Math.min(providerTtl ?? DEFAULT_TTL_SECONDS, maxTtl)
    if (defaultTtl > maxTtl) {
      throw new SeedError(rolePath, `${describeSeedPath(rolePath)}: defaultTtl (${defaultTtl}) is more than maxTtl (${maxTtl})`)
    }
    roles.push({name, grants, owner, defaultTtl, maxTtl})
  }
  if (providerTtl !== undefined && providerMax !== undefined && providerTtl > providerMax) {
    throw new SeedError(path, `${describeSeedPath(path)}: defaultTtl (${providerTtl}) is more than maxTtl (${providerMax})`)
  }
  if (defaults.length > 1) {
    throw new SeedError([...path, 'roles'], `${describeSeedPath([...path, 'roles'])}: only one role can be the default (${defaults.join(', ')} say default: true)`)
  }
  const defaultRole = defaults[0] ?? (roles.length === 1 ? roles[0]!.name : null)
  return {engine: 'postgres', database, defaultRole, roles}
}
