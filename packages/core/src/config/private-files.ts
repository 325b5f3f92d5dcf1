import {randomBytes} from 'node:crypto'
import {chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

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
 * Writes `data` so that readers see either the old or the new file, never a torn one, and so that
 * the file is never readable by others, not even for a moment: the temp file is created with
 * O_EXCL and mode 0600 in the target's own folder (rename is atomic only within one filesystem),
 * flushed, then renamed over the target.
 */
export function writePrivateFileAtomic(path: string, data: string): void {
  const dir = dirname(path)
  ensurePrivateDir(dir)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = openSync(temp, 'wx', PRIVATE_FILE_MODE)
  try {
    try {
      writeSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, {force: true})
    throw error
  }
  syncDirectory(dir)
}

// Makes the rename itself durable; unsupported on some platforms, where it is only best effort.
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // best effort
  }
}

/** Mode bits as `0644` for messages. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}
