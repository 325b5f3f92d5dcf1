/**
 * Where a key's snapshots live and how they are read, written and removed. One file per (server,
 * key id, project, environment) in `<cache>/snapshots`, named by hashes: the first part depends on
 * server and key only, so every snapshot of a key is found (and deleted on a 401) without a
 * decryption. Files are 0600 in a 0700 folder and replaced atomically, without fsync: a snapshot
 * lost in a crash costs nothing (the next fetch writes it), a flush would cost every `bella run`,
 * and a torn one fails authentication and is deleted.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {parseApiKey} from '../crypto/api-key.js'
import {ensurePrivateDir, PRIVATE_FILE_MODE, removeSymlinkAt} from '../config/private-files.js'
import {writeFileAtomic} from '../fs/atomic.js'
import type {FetchedEnvironmentSecrets} from '../api/secrets-response.js'
import type {Session} from '../session.js'
import {openSnapshot, peekHeader, sealSnapshot, snapshotKey, SnapshotRefused, type Snapshot, type SnapshotHeader} from './format.js'

const SUFFIX = '.snapshot'
// Far above any environment the API serves (its answers are bounded too); a larger file is not ours.
const MAX_FILE_BYTES = 64 * 1024 * 1024

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex')

export interface SnapshotTarget {
  project: string
  environment: string
}

export class SnapshotVault {
  private readonly key: Buffer
  private readonly prefix: string

  constructor(
    /** `<cache>/snapshots`. */
    readonly dir: string,
    readonly server: string,
    readonly keyId: string,
    secret: Buffer,
    private readonly warn: (message: string) => void,
  ) {
    this.key = snapshotKey(secret)
    this.prefix = keyFilePrefix(server, keyId)
  }

  pathFor(target: SnapshotTarget): string {
    return join(this.dir, `${this.prefix}-${hash('v1', this.server, this.keyId, target.project, target.environment).slice(0, 32)}${SUFFIX}`)
  }

  private header(target: SnapshotTarget): SnapshotHeader {
    return {server: this.server, keyId: this.keyId, project: target.project, environment: target.environment}
  }

  /** Encrypts and writes the snapshot of `target` (the whole file is replaced, a fresh nonce each time). */
  async save(target: SnapshotTarget, fetched: FetchedEnvironmentSecrets, fetchedAt = Date.now()): Promise<void> {
    const bytes = sealSnapshot(this.key, this.header(target), fetched, fetchedAt)
    ensurePrivateDir(this.dir)
    removeSymlinkAt(this.pathFor(target))
    await writeFileAtomic(this.pathFor(target), bytes, {mode: PRIVATE_FILE_MODE, skipIfUnchanged: false, durable: false})
  }

  /**
   * The snapshot of `target`, or undefined when there is none. A file that is not a snapshot this
   * key wrote (changed, truncated, another key) is deleted with a warning, as if there were none.
   */
  load(target: SnapshotTarget): Snapshot | undefined {
    const path = this.pathFor(target)
    const file = this.read(path)
    if (!file) return undefined
    try {
      return openSnapshot(this.key, this.header(target), file)
    } catch (error) {
      if (!(error instanceof SnapshotRefused)) throw error
      this.remove(path)
      this.warn(`the offline snapshot of ${target.project}/${target.environment} was refused and deleted: ${error.message}`)
      return undefined
    }
  }

  /** Deletes the snapshot of `target` (one that cannot be used, ever). */
  discard(target: SnapshotTarget): void {
    this.remove(this.pathFor(target))
  }

  /** The targets this key has snapshots of on this server (from the headers; nothing decrypted). */
  targets(): SnapshotTarget[] {
    const found: SnapshotTarget[] = []
    for (const name of this.ownFiles()) {
      const path = join(this.dir, name)
      const file = this.read(path)
      const header = file && peekHeader(file)
      const target = header && {project: header.project, environment: header.environment}
      // A header that does not hash to its own file name was edited (or is not ours): never trust it.
      if (!target || header.server !== this.server || header.keyId !== this.keyId || this.pathFor(target) !== path) {
        this.remove(path)
        this.warn(`the offline snapshot ${name} was refused and deleted: its header does not match its name (changed or damaged)`)
        continue
      }
      found.push(target)
    }
    return found
  }

  /** Deletes every snapshot of this key on this server (a 401/403: a refused key unlocks nothing). Returns how many. */
  forget(): number {
    return forgetSnapshots(this.dir, this.server, this.keyId)
  }

  private ownFiles(): string[] {
    return snapshotFilesOf(this.dir, keyFilePrefix(this.server, this.keyId))
  }

  private read(path: string): Buffer | undefined {
    try {
      const stat = statSync(path, {throwIfNoEntry: false})
      if (!stat?.isFile()) return undefined
      if (stat.size > MAX_FILE_BYTES) return Buffer.alloc(0)
      return readFileSync(path)
    } catch {
      return undefined
    }
  }

  private remove(path: string): boolean {
    try {
      rmSync(path, {force: true})
      return true
    } catch {
      return false
    }
  }
}

/**
 * The vault for the session's credential, or undefined when it gets none: an access token or a
 * workload-identity key is short-lived (a new one on every renewal), so nothing written under it
 * could be read by the next one. Only a long-lived API key has snapshots.
 */
export function snapshotVaultFor(session: Session, cacheDir: string, warn: (message: string) => void): SnapshotVault | undefined {
  const credentials = session.credentials
  if (credentials.kind !== 'api-key' || credentials.source === 'workload-identity') return undefined
  const {keyId, secret} = parseApiKey(credentials.raw, credentials.origin)
  return new SnapshotVault(join(cacheDir, 'snapshots'), session.settings.apiUrl.value, keyId, secret, warn)
}

/** What every snapshot file name of one key on one server starts with: found and deleted without the key's secret. */
function keyFilePrefix(server: string, keyId: string): string {
  return hash('v1', server, keyId).slice(0, 16)
}

function snapshotFilesOf(dir: string, prefix: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.filter((n) => n.startsWith(`${prefix}-`) && n.endsWith(SUFFIX))
}

/**
 * Deletes every snapshot of key `keyId` on `server` under `dir` (`<cache>/snapshots`); needs no
 * secret, so `bella logout` can do it for a key it no longer holds. Returns how many were deleted.
 */
export function forgetSnapshots(dir: string, server: string, keyId: string): number {
  let removed = 0
  for (const name of snapshotFilesOf(dir, keyFilePrefix(server, keyId))) {
    try {
      rmSync(join(dir, name), {force: true})
      removed++
    } catch {
      // gone already, or not ours to delete: nothing to unlock either way
    }
  }
  return removed
}
