/**
 * The temp files of atomic writes: `<name>.bella-<pid>-<hex>.tmp` next to the target. The name
 * starts with the target's own name and ends in `.tmp`, so a `.gitignore` that covers the target
 * (`.env*`) or temp files (`*.tmp`) covers them too, even while one exists for a moment.
 *
 * A bella killed in the middle of a write (SIGKILL, OOM, power loss) leaves its temp file behind,
 * full of secrets. `removeStaleTempFiles` deletes those for one target: only names of this exact
 * pattern for that target (and the `.<name>.<pid>.<hex>.tmp` pattern of earlier versions), and only
 * when the process that made them is gone, or is this process and not writing it right now (a
 * restarted container often gets the same pid). A live writer's temp file is never touched.
 */
import {randomBytes} from 'node:crypto'
import {readdir, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/** Temp files this process is writing at the moment (never removed as stale). */
const inFlight = new Set<string>()

// Short enough for NAME_MAX whatever the target's name.
const tempPrefix = (target: string) => basename(target).slice(0, 100)

/** A fresh temp path for `target`, in the target's folder (rename is atomic only within one). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefix(target)}.bella-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
}

/** Marks `temp` as being written by this process until the returned function is called. */
export function holdTempFile(temp: string): () => void {
  inFlight.add(temp)
  return () => void inFlight.delete(temp)
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The pid in `name` when it is one of bella's temp names for `target`, else undefined. */
export function tempFileOwner(target: string, name: string): number | undefined {
  const prefix = escapeRegExp(tempPrefix(target))
  const match = new RegExp(`^${prefix}\\.bella-(\\d+)-[0-9a-f]{12}\\.tmp$`).exec(name) ?? new RegExp(`^\\.${prefix}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`).exec(name)
  return match ? Number(match[1]) : undefined
}

function processGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Removes the temp files a dead (or earlier) bella left next to `target`; resolves the names
 * removed. Best effort: a folder that cannot be read, or a file that cannot be removed, is skipped.
 */
export async function removeStaleTempFiles(target: string): Promise<string[]> {
  const dir = dirname(target)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const pid = tempFileOwner(target, name)
    if (pid === undefined) continue
    const path = join(dir, name)
    const stale = pid === process.pid ? !inFlight.has(path) : processGone(pid)
    if (!stale) continue
    try {
      await rm(path, {force: true})
      removed.push(name)
    } catch {
      // not ours to remove (another user's folder): leave it
    }
  }
  return removed
}
