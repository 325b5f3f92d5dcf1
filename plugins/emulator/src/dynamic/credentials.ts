/**
 * Dynamic database credentials (contract §2.3(b)): checks a generate request against the seed's
 * roles, creates a real PostgreSQL login role that expires with its lease, and drops it when the
 * lease ends.
 *
 * Lease lifecycle, decided here:
 *  - The user is created with `VALID UNTIL` = the lease end, so PostgreSQL itself refuses new
 *    logins after it, even if the emulator is gone by then.
 *  - When the lease ends, a timer ends the user's open sessions, hands anything it owns to the
 *    admin role (REASSIGN OWNED: a migration's tables survive), and drops the user. A lease is a
 *    hard limit, as with Vault's revocation: pick a TTL longer than the command needs.
 *  - When the emulator stops (close()), every outstanding lease is ended the same way, so the
 *    cluster is not left with users nobody tracks.
 *  - An emulator that was killed cannot do that; the next one, the first time it connects to a
 *    database, drops the expired users earlier emulators left there (recognised by their
 *    COMMENT ON ROLE marker).
 *
 * Lease times use the real clock (not the emulator's test clock): PostgreSQL judges VALID UNTIL
 * by its own.
 */
import {randomUUID} from 'node:crypto'
import {badRequest, HttpError} from '../http.js'
import type {ProviderState} from '../state.js'
import {isDatabaseProviderType, type ResolvedDatabaseRole} from './seed-database.js'
import type {GeneratedCredentials} from '@bella/core'
import {PostgresAdmin, PostgresError} from './postgres.js'
import {connectionUrl, generatedPassword, generatedUsername, scramSha256Verifier} from './sql.js'

export type {GeneratedCredentials} from '@bella/core'

/** A lease as tests and the banner may see it: no password. */
export interface LeaseInfo {
  leaseId: string
  username: string
  database: string
  role: string
  providerSlug: string
  expiresAt: Date
}

export interface GenerateRequest {
  role: string | null
  ttlSeconds: number | null
}

export interface DynamicCredentialsOptions {
  /** The admin connection (`postgres://admin:pw@127.0.0.1:5432/db`); without it, generate answers 503. */
  adminUrl?: string
  /** Failures that happen outside a request (a lease-end drop, a lost idle connection). */
  onError?: (error: unknown) => void
}

/** setTimeout's limit (~24.8 days); longer leases re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1

interface Lease extends LeaseInfo {
  timer: NodeJS.Timeout | undefined
  ending: Promise<void> | undefined
}

/** Shows a client-supplied value in a message without letting it forge terminal output. */
function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
}

export class DynamicCredentials {
  private readonly admin: PostgresAdmin | undefined
  private readonly leases = new Map<string, Lease>()
  private readonly swept = new Set<string>()
  private readonly onError: (error: unknown) => void
  private closing: Promise<void> | undefined

  constructor(options: DynamicCredentialsOptions = {}) {
    this.onError = options.onError ?? (() => {})
    // parseAdminUrl (in the constructor) throws a password-free message for a bad URL.
    this.admin = options.adminUrl ? new PostgresAdmin(options.adminUrl, (error) => this.onError(error)) : undefined
  }

  /** `admin@127.0.0.1:5432/db`, or undefined when no PostgreSQL is configured. */
  describe(): string | undefined {
    return this.admin?.describe()
  }

  /** The role names a provider issues credentials for (GET …/credentials/roles). */
  roles(provider: ProviderState, siblings: readonly ProviderState[]): string[] {
    return databaseConfig(provider, siblings).roles.map((r) => r.name)
  }

  /**
   * Validates the request (400s name what is wrong), then creates the user. Errors are
   * HttpErrors: 400 for a request the seed does not allow, 503 when PostgreSQL is not configured
   * or unreachable, 500 when PostgreSQL refuses a grant (a seed mistake).
   */
  async generate(provider: ProviderState, siblings: readonly ProviderState[], request: GenerateRequest): Promise<GeneratedCredentials> {
    const config = databaseConfig(provider, siblings)
    const role = pickRole(provider, config.roles, config.defaultRole, request.role)
    const ttl = pickTtl(provider, role, request.ttlSeconds)
    if (this.closing) throw new HttpError(503, 'the emulator is shutting down')
    const admin = this.admin
    if (!admin) {
      throw new HttpError(503, 'this emulator has no PostgreSQL admin connection: start it with --postgres-url (or BELLA_EMULATOR_POSTGRES_URL) to issue database credentials', {
        title: 'Service Unavailable',
      })
    }

    const database = config.database ?? admin.endpoint.database
    this.sweepOnce(admin, database)
    const leaseId = randomUUID()
    const username = generatedUsername(role.name)
    const password = generatedPassword()
    const expiresAt = new Date(Date.now() + ttl * 1000)
    try {
      await admin.createUser({
        database,
        username,
        passwordVerifier: await scramSha256Verifier(password),
        validUntil: expiresAt,
        grants: role.grants,
        owner: role.owner,
        leaseId,
      })
    } catch (error) {
      throw toHttpError(error, `role ${shown(role.name)} of provider "${provider.slug}"`)
    }

    const lease: Lease = {leaseId, username, database, role: role.name, providerSlug: provider.slug, expiresAt, timer: undefined, ending: undefined}
    this.leases.set(leaseId, lease)
    // A close() that started while the user was being created must not miss it.
    if (this.closing) void this.endLease(lease)
    else this.arm(lease)
    return {
      username,
      password,
      expiresAt: expiresAt.toISOString(),
      leaseDurationSeconds: ttl,
      leaseId,
      connectionUrl: connectionUrl(admin.endpoint, database, username, password),
    }
  }

  /** Outstanding leases (no passwords). */
  list(): LeaseInfo[] {
    return [...this.leases.values()].map(({timer: _t, ending: _e, ...info}) => info)
  }

  /** Ends a lease now (drops its user). False when there is no such lease. */
  async revoke(leaseId: string): Promise<boolean> {
    const lease = this.leases.get(leaseId)
    if (!lease) return false
    await this.endLease(lease)
    return true
  }

  /** Ends every outstanding lease and closes the admin connections. Never rejects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.leases.values()].map((lease) => this.endLease(lease)))
      await this.admin?.close()
    })()
    return this.closing
  }

  private arm(lease: Lease): void {
    const wait = lease.expiresAt.getTime() - Date.now()
    lease.timer = setTimeout(() => (wait > MAX_TIMER_MS ? this.arm(lease) : void this.endLease(lease)), Math.max(0, Math.min(wait, MAX_TIMER_MS)))
    // The server keeps the process alive; a lease timer alone must not (tests, library use).
    lease.timer.unref()
  }

  private endLease(lease: Lease): Promise<void> {
    if (lease.timer) clearTimeout(lease.timer)
    lease.ending ??= (async () => {
      try {
        await this.admin?.dropUser(lease.database, lease.username)
      } catch (error) {
        // VALID UNTIL still refuses logins; the next emulator's sweep drops the user.
        this.onError(error)
      } finally {
        this.leases.delete(lease.leaseId)
      }
    })()
    return lease.ending
  }

  /** Once per database: drop expired users left by emulators that were killed. In the background. */
  private sweepOnce(admin: PostgresAdmin, database: string): void {
    if (this.swept.has(database)) return
    this.swept.add(database)
    void (async () => {
      let leftovers: string[]
      try {
        leftovers = await admin.expiredLeftovers(database)
      } catch {
        return // Best effort: an unreachable server is reported by the request that needs it.
      }
      // One by one: a leftover holding privileges in another database cannot be dropped from this
      // one, and must not stop the sweep of the others.
      for (const username of leftovers) await admin.dropUser(database, username).catch(() => {})
    })()
  }
}

function databaseConfig(provider: ProviderState, siblings: readonly ProviderState[]) {
  if (!provider.dynamic || !isDatabaseProviderType(provider.type)) {
    const databases = siblings.filter((p) => p.dynamic).map((p) => p.slug)
    throw badRequest(
      `provider "${provider.slug}" (type ${provider.type}) is not a database provider and issues no credentials` +
        (databases.length > 0 ? `; database providers here: ${databases.join(', ')}` : '; this environment has no database provider'),
    )
  }
  return provider.dynamic
}

function pickRole(provider: ProviderState, roles: readonly ResolvedDatabaseRole[], defaultRole: string | null, requested: string | null): ResolvedDatabaseRole {
  const names = roles.map((r) => r.name).join(', ')
  if (roles.length === 0) throw badRequest(`provider "${provider.slug}" has no roles configured`)
  if (requested === null) {
    const role = roles.find((r) => r.name === defaultRole)
    if (!role) throw badRequest(`provider "${provider.slug}" has no default role; name one of: ${names}`)
    return role
  }
  const role = roles.find((r) => r.name === requested)
  if (!role) throw badRequest(`provider "${provider.slug}" has no role ${shown(requested)}; its roles are: ${names}`)
  return role
}

function pickTtl(provider: ProviderState, role: ResolvedDatabaseRole, requested: number | null): number {
  if (requested === null) return role.defaultTtl
  if (requested < 1) throw badRequest(`ttlSeconds must be at least 1 (got ${requested})`)
  if (requested > role.maxTtl) {
    throw badRequest(`ttlSeconds ${requested} is more than the maximum of ${role.maxTtl} seconds for role "${role.name}" of provider "${provider.slug}"`)
  }
  return requested
}

function toHttpError(error: unknown, what: string): unknown {
  if (!(error instanceof PostgresError)) return error
  if (error.kind === 'unavailable') return new HttpError(503, error.message)
  return new HttpError(500, `PostgreSQL refused to create the user for ${what}: ${error.message} (check the role's grants in the seed)`)
}
