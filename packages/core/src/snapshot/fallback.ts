/**
 * The offline fallback of commands that fetch an environment's secrets (`run`, `run --watch`):
 * fetch live and keep an encrypted snapshot; when the API is unreachable or failing (exit-4
 * errors only), use a snapshot younger than --max-stale and say so; when the API refuses the key
 * (401/403), delete the key's snapshots at once and fail as before.
 */
import {getAllEnvironmentSecrets} from '../api/endpoints.js'
import type {FetchedEnvironmentSecrets} from '../api/secrets-response.js'
import {keyPrefix} from '../crypto/api-key.js'
import {isBellaError, unreachableError, usageError} from '../errors.js'
import type {Resolved} from '../config/types.js'
import {cachedTarget, withTarget, type Session, type Target} from '../session.js'
import {formatAge} from './max-stale.js'
import {snapshotVaultFor, type SnapshotTarget, type SnapshotVault} from './vault.js'

export interface FallbackOptions {
  /** How old a snapshot may be to be used; 0 turns snapshots off (none read, none written). */
  maxStaleMs: number
  /** Use the snapshot without asking the API (`--fallback-only`). */
  only: boolean
  /** The user cache folder (`cacheDirFrom`); snapshots go to its `snapshots` folder. */
  cacheDir: string
  /** How --max-stale is named in messages (the flag, or an agent config key). */
  maxStaleLabel?: string
  now?: () => number
}

export interface SnapshotUse {
  ageMs: number
  fetchedAt: number
}

export interface SecretsResult {
  target: Target
  fetched: FetchedEnvironmentSecrets
  /** Set when the secrets came from a snapshot rather than the API. */
  fromSnapshot?: SnapshotUse
  /** Writes the snapshot of a live fetch (nothing for a snapshot, or without a vault). Never rejects. */
  save(): Promise<void>
}

const nothing = async () => {}
// Clocks of machines sharing a cache folder (or one NTP step) may disagree by this much.
const CLOCK_SLACK_MS = 5 * 60 * 1000
const SNAPSHOT_ORIGIN = 'the offline snapshot (keys/me was unreachable)'

/** True for what the fallback answers: the API unreachable or failing (exit 4), nothing else. */
export function isUnreachable(error: unknown): boolean {
  return isBellaError(error) && error.kind === 'unreachable'
}

/** The credential was refused (401/403): its snapshots must not outlive that. */
export function forgetOnRefusal(vault: SnapshotVault | undefined, error: unknown, warn: (message: string) => void): void {
  if (!vault || !isBellaError(error) || error.kind !== 'auth') return
  // A 401 explained by this machine's clock says nothing about the key: fixing the clock is enough.
  if (error.code === 'api_clock_skew') return
  const removed = vault.forget()
  if (removed > 0) warn(`the API refused key ${keyPrefix(vault.keyId)}…, so its offline ${removed === 1 ? 'snapshot was' : `snapshots (${removed}) were`} deleted`)
}

/** A vault to read and write, or undefined when snapshots are off or the credential has none. */
function vaultFor(session: Session, fallback: FallbackOptions, warn: (message: string) => void): SnapshotVault | undefined {
  const vault = snapshotVaultFor(session, fallback.cacheDir, warn)
  if (fallback.only && !vault) {
    throw usageError('--fallback-only needs an API key: access tokens and workload-identity keys have no offline snapshots', {
      code: 'fallback_needs_api_key',
      suggestions: ['set BELLA_BAXTER_API_KEY=bax-… (or bella login), and run once with the API reachable to write the snapshot'],
    })
  }
  return vault
}

/**
 * The session's two vaults: `vault` reads and writes snapshots (none with --max-stale 0); `refusal`
 * deletes them when the API refuses the key, even with --max-stale 0 (a refused key's earlier
 * snapshots must go however this call was made).
 */
export function snapshotVaults(session: Session, fallback: FallbackOptions, warn: (message: string) => void): {vault?: SnapshotVault; refusal?: SnapshotVault} {
  const vault = fallback.maxStaleMs > 0 ? vaultFor(session, fallback, warn) : undefined
  const refusal = vault ?? (fallback.cacheDir ? snapshotVaultFor(session, fallback.cacheDir, warn) : undefined)
  return {vault, refusal}
}

/**
 * The snapshot of `target` when it may stand in for the API: younger than maxStale. An older one
 * is left on disk (a later call with a larger --max-stale may use it) and named in a warning.
 */
export function freshSnapshot(vault: SnapshotVault, target: SnapshotTarget, fallback: FallbackOptions, warn: (message: string) => void) {
  const snapshot = vault.load(target)
  if (!snapshot) return undefined
  const now = fallback.now?.() ?? Date.now()
  if (snapshot.fetchedAt - now > CLOCK_SLACK_MS) {
    // Written while the clock was ahead: its true age is unknown, and counting it as 0 would let it
    // stand in for the API until the clock caught up, whatever --max-stale says. Deleted: it can
    // never be vouched for (the next live fetch writes a new one).
    vault.discard(target)
    warn(`the offline snapshot of ${target.project}/${target.environment} says it was fetched ${formatAge(snapshot.fetchedAt - now)} in the future (the clock was changed?); deleted, not used`)
    return undefined
  }
  const ageMs = Math.max(0, now - snapshot.fetchedAt)
  if (ageMs > fallback.maxStaleMs) {
    warn(
      `the offline snapshot of ${target.project}/${target.environment} is ${formatAge(ageMs)} old, older than ${fallback.maxStaleLabel ?? '--max-stale'} ${formatAge(fallback.maxStaleMs)}; not used`,
    )
    return undefined
  }
  return {...snapshot, ageMs}
}

/** Fetches the target's secrets live, or from the snapshot as FallbackOptions allow. */
export async function fetchSecretsWithFallback(session: Session, fallback: FallbackOptions, warn: (message: string) => void): Promise<SecretsResult> {
  const {vault, refusal} = snapshotVaults(session, fallback, warn)
  const useSnapshot = (cause: unknown, known?: Target): SecretsResult | undefined => {
    if (!vault) return undefined
    const target = known ?? soleTarget(session, vault)
    if (!target) return undefined
    const where = {project: target.project.value, environment: target.environment.value}
    const snapshot = freshSnapshot(vault, where, fallback, warn)
    if (!snapshot) return undefined
    const why = fallback.only ? '--fallback-only: the API was not asked' : `could not reach the Bella API at ${vault.server} (${isBellaError(cause) ? cause.code : 'error'})`
    warn(
      `${why}; using the offline snapshot of ${where.project}/${where.environment} from ${formatAge(snapshot.ageMs)} ago (version ${snapshot.fetched.version}, fetched ${new Date(snapshot.fetchedAt).toISOString()})`,
    )
    return {target, fetched: snapshot.fetched, fromSnapshot: {ageMs: snapshot.ageMs, fetchedAt: snapshot.fetchedAt}, save: nothing}
  }

  if (fallback.only) {
    const {project, environment} = session.settings
    // Named by the settings, else by the key's cached scope, else by the key's only snapshot.
    const used = useSnapshot(undefined, project && environment ? {project, environment} : cachedTarget(session))
    if (used) return used
    throw unreachableError(`No usable offline snapshot for ${project && environment ? `${project.value}/${environment.value}` : 'this key'} on ${session.settings.apiUrl.value}, and --fallback-only does not ask the API`, {
      code: 'no_snapshot',
      suggestions: [
        'run once without --fallback-only while the API is reachable: every successful fetch writes the snapshot',
        'with a key not scoped to one environment, or several snapshots, pass -p and -e',
      ],
    })
  }

  // The target last tried: a cached key context (withTarget) lets a fetch that cannot reach the API
  // still find its snapshot without keys/me.
  let tried: Target | undefined
  // withTarget retries a cached target the API refused (403, 404) after asking keys/me: such an
  // answer is the API's word on that target, so neither a later outage nor the cache may bring its
  // snapshot back (a 401/403 deletes the key's snapshots, whichever attempt it came on).
  let refused = false
  let target: Target
  let fetched: FetchedEnvironmentSecrets
  try {
    ;({target, fetched} = await withTarget(session, async (candidate) => {
      tried = candidate
      try {
        return {target: candidate, fetched: await getAllEnvironmentSecrets(session.api, candidate.project.value, candidate.environment.value)}
      } catch (error) {
        if (!isUnreachable(error)) refused = true
        forgetOnRefusal(refusal, error, warn)
        throw error
      }
    }))
  } catch (error) {
    forgetOnRefusal(refusal, error, warn)
    if (isUnreachable(error) && !refused) {
      const used = useSnapshot(error, tried)
      if (used) return used
    }
    throw error
  }
  const where = {project: target.project.value, environment: target.environment.value}
  const fetchedAt = fallback.now?.() ?? Date.now()
  return {target, fetched, save: vault ? () => saveQuietly(vault, where, fetched, fetchedAt, warn) : nothing}
}

/** Writes a snapshot; a failure is a warning naming the file and the system error code, never a value. */
export async function saveQuietly(
  vault: SnapshotVault,
  target: SnapshotTarget,
  fetched: FetchedEnvironmentSecrets,
  fetchedAt: number,
  warn: (message: string) => void,
): Promise<void> {
  try {
    await vault.save(target, fetched, fetchedAt)
  } catch (error) {
    const code = (error as {code?: unknown})?.code
    warn(`could not write the offline snapshot ${vault.pathFor(target)} (${typeof code === 'string' ? code : 'error'}); the command runs without it`)
  }
}

/**
 * keys/me could not be asked: the target is what the settings name, completed from the key's one
 * snapshot on this server (its authenticated header names the project and environment). Two or
 * more, or none, and there is nothing to go on.
 */
function soleTarget(session: Session, vault: SnapshotVault): Target | undefined {
  const {project, environment} = session.settings
  if (project && environment) return {project, environment}
  const matches = vault
    .targets()
    .filter((t) => (!project || t.project === project.value) && (!environment || t.environment === environment.value))
  if (matches.length !== 1) return undefined
  const from = (value: string): Resolved<string> => ({value, source: 'key-context', origin: SNAPSHOT_ORIGIN})
  return {project: project ?? from(matches[0]!.project), environment: environment ?? from(matches[0]!.environment)}
}
