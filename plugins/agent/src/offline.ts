/**
 * The agent's offline snapshots (`--max-stale`, `--fallback-only`), around each environment
 * watch's fetch: a live fetch writes the snapshot; an unreachable or failing API (exit-4 errors
 * only) falls back to one younger than --max-stale; a refused key (401/403) deletes them all.
 * Provider watches have no snapshot: they are fetched live only.
 */
import {
  forgetOnRefusal,
  formatAge,
  freshSnapshot,
  isBellaError,
  isUnreachable,
  saveQuietly,
  unreachableError,
  snapshotVaults,
  type FallbackOptions,
  type Session,
  type SnapshotVault,
} from '@bella/core'
import type {WatchConfig} from './config/load.js'
import type {AgentLog} from './log.js'
import {secretsDigest, type Fetched} from './watch-fetch.js'

/** The marker of secrets that came from a snapshot: no answer of the API equals it, so the first poll that gets through refetches. */
export const SNAPSHOT_MARKER = 'offline-snapshot'

export class AgentSnapshots {
  private vault: SnapshotVault | undefined
  private refusal: SnapshotVault | undefined
  private saving: Promise<void> = Promise.resolve()
  /** Watches already started from the snapshot under --fallback-only: their polls ask the API, as run --watch's do. */
  private readonly started = new WeakSet<WatchConfig>()

  constructor(
    private readonly fallback: FallbackOptions,
    private readonly log: AgentLog,
  ) {}

  /** Called once the session is open (its server and key decide the files). */
  attach(session: Session): void {
    const warn = (message: string) => this.log.emit({event: 'notice', level: 'warn', message})
    ;({vault: this.vault, refusal: this.refusal} = snapshotVaults(session, this.fallback, warn))
  }

  /** The watch's marker: the API's, or (with --fallback-only, until the watch has started from its snapshot) the snapshot's. */
  async marker(config: WatchConfig, live: () => Promise<string>): Promise<string> {
    if (this.startsOffline(config)) return SNAPSHOT_MARKER
    return live().catch((error: unknown) => this.refused(error))
  }

  /** The watch's secrets: live (and snapshotted), or from the snapshot when the API cannot answer. */
  async fetch(config: WatchConfig, live: () => Promise<Fetched>): Promise<Fetched> {
    if (this.fallback.only && !this.started.has(config)) {
      const fetched = config.provider ? undefined : this.fromSnapshot(config, undefined)
      if (fetched) {
        this.started.add(config)
        return fetched
      }
      throw unreachableError(`no usable offline snapshot of ${config.label}, and --fallback-only does not ask the API`, {
        code: 'no_snapshot',
        suggestions: [
          config.provider ? 'provider watches have no offline snapshot: drop --fallback-only' : 'run the agent once without --fallback-only while the API is reachable',
        ],
      })
    }
    let fetched: Fetched
    try {
      fetched = await live()
    } catch (error) {
      this.forget(error)
      const used = isUnreachable(error) && !config.provider ? this.fromSnapshot(config, error) : undefined
      if (used) return used
      throw error
    }
    const vault = this.vault
    if (vault && !config.provider && fetched.version !== undefined) {
      const target = {project: config.project, environment: config.environment}
      const all = {secrets: fetched.secrets, sealed: fetched.sealed, version: fetched.version, lastModified: '', environmentSlug: config.environment, environmentName: config.environment}
      const warn = (message: string) => this.log.emit({event: 'notice', level: 'warn', message})
      // In fetch order, one at a time; awaited so the file is there before the sinks are written.
      this.saving = this.saving.then(() => saveQuietly(vault, target, all, Date.now(), warn))
      await this.saving
    }
    return fetched
  }

  /** --fallback-only and this environment watch has not started from its snapshot yet. */
  private startsOffline(config: WatchConfig): boolean {
    return this.fallback.only && !config.provider && !this.started.has(config)
  }

  private refused(error: unknown): never {
    this.forget(error)
    throw error
  }

  private forget(error: unknown): void {
    forgetOnRefusal(this.refusal, error, (message) => this.log.emit({event: 'notice', level: 'warn', message}))
  }

  private fromSnapshot(config: WatchConfig, cause: unknown): Fetched | undefined {
    if (!this.vault) return undefined
    const warn = (message: string) => this.log.emit({event: 'notice', level: 'warn', message, watch: config.label})
    const snapshot = freshSnapshot(this.vault, {project: config.project, environment: config.environment}, this.fallback, warn)
    if (!snapshot) return undefined
    const why = cause === undefined ? '--fallback-only: the API was not asked' : `could not reach the Bella API at ${this.vault.server} (${isBellaError(cause) ? cause.code : 'error'})`
    this.log.emit({
      event: 'fallback',
      level: 'warn',
      message: `${config.label}: ${why}; using the offline snapshot from ${formatAge(snapshot.ageMs)} ago (version ${snapshot.fetched.version}, fetched ${new Date(snapshot.fetchedAt).toISOString()})`,
      watch: config.label,
      ageSeconds: Math.floor(snapshot.ageMs / 1000),
      version: snapshot.fetched.version,
    })
    const {secrets, sealed, version} = snapshot.fetched
    return {marker: SNAPSHOT_MARKER, secrets, digest: secretsDigest(secrets), version, sealed}
  }
}
