import {chmodSync, lstatSync, mkdirSync, rmSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import {writeFileAtomicSync} from '../fs/atomic.js'

// POSIX permission bits mean little on Windows (ACLs decide there), so checks are skipped.
const checksModes = process.platform !== 'win32'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/**
 * Narrows `path` to `mode` if it grants more than that. Returns the previous mode bits when it
 * changed something, so the caller can decide whether the looseness deserves a warning.
 */
export function tightenMode(path: string, mode: number): number | undefined {
  if (!checksModes) return undefined
  const stat = statSync(path, {throwIfNoEntry: false})
  if (!stat) return undefined
  const current = stat.mode & 0o777
  if ((current & ~mode) === 0) return undefined
  chmodSync(path, current & mode)
  return current
}

/** Creates `dir` (and missing parents) as 0700, or tightens it if it already exists with looser bits. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, {recursive: true, mode: PRIVATE_DIR_MODE})
  tightenMode(dir, PRIVATE_DIR_MODE)
}

/**
 * Removes a symbolic link at `path` (not what it points to). For cache files, which bella alone
 * names and writes: the atomic writer writes *through* a link (sinks rely on it), so a link planted
 * there would have a cache write replace whatever file it names.
 */
export function removeSymlinkAt(path: string): void {
  if (lstatSync(path, {throwIfNoEntry: false})?.isSymbolicLink()) rmSync(path, {force: true})
}

/**
 * Writes `data` so that readers see either the old or the new file, never a torn one, and so that
 * the file is never readable by others, not even for a moment: the folder is created or tightened
 * to 0700, then core's atomic writer creates a temp file with O_EXCL and mode 0600 in the target's
 * own folder (rename is atomic only within one filesystem), flushes it and renames it over the
 * target. Always replaces the file (no unchanged-bytes shortcut).
 */
export function writePrivateFileAtomic(path: string, data: string): void {
  ensurePrivateDir(dirname(path))
  writeFileAtomicSync(path, data, {mode: PRIVATE_FILE_MODE, skipIfUnchanged: false})
}

/** Mode bits as `0644` for messages. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}
