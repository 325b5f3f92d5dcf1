/**
 * Atomic file replacement for secrets (sink files, credentials, user config). Readers see the old
 * file or the new one, never a torn or empty one, and the secret is never readable by anyone the
 * requested mode does not allow, not even for a moment:
 *
 * 1. If the target is a regular file holding exactly these bytes, nothing is written: no temp file,
 *    no rename, no mtime change (callers use 'unchanged' to skip signalling a process). When only its
 *    permission bits differ from the requested mode, they are corrected in place with chmod (content
 *    and mtime stay; still 'unchanged', since a reader sees the same bytes). If chmod is refused
 *    (a file owned by someone else), the file is replaced as below instead.
 * 2. Missing parent folders are created 0700 (exactly: chmod after mkdir, whatever the umask).
 *    Existing folders are left as they are: a sink may write into a project folder.
 * 3. A temp file is created next to the target (rename is atomic only within one file system) with
 *    O_EXCL and the final mode, then chmod'ed to that mode explicitly, because the umask may have
 *    narrowed it (it can never widen it). Data is written and fsync'ed, the temp file is renamed
 *    over the target, and the folder is fsync'ed so the rename survives a crash (best effort).
 * 4. On any failure the temp file is removed and the previous file is untouched.
 * 5. After every async write, temp files of this target that a killed bella left behind are
 *    removed (temp-files.ts; their names start with the target's name and end in `.tmp`).
 *
 * A symlink to a regular file is written through (the link stays; the file it points to is
 * replaced, its temp file in that file's folder); devices, FIFOs, sockets and dangling links are
 * refused (target.ts). Mode bits are not enforced on Windows, where ACLs decide.
 *
 * Node built-ins only; an async version for sinks and a sync one for the credential store.
 */
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs'
import {chmod, lstat, mkdir, open, readFile, rename, rm, type FileHandle} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {resolveWriteTarget, resolveWriteTargetSync} from './target.js'
import {holdTempFile, removeStaleTempFiles, tempPathFor} from './temp-files.js'

const checksModes = process.platform !== 'win32'

/** Mode of a file written without an explicit one: owner read/write only. */
export const DEFAULT_FILE_MODE = 0o600
/** Mode of folders created on the way to a written file. */
export const CREATED_DIR_MODE = 0o700

export type WriteFileAtomicResult = 'written' | 'unchanged'

export interface WriteFileAtomicOptions {
  /** Permission bits of the file, applied exactly (the umask does not apply). Default 0o600. */
  mode?: number
  /**
   * Compare with the current content first and leave an identical file alone. Default true.
   * With false the file is always replaced (a new inode and mtime).
   */
  skipIfUnchanged?: boolean
  /**
   * fsync the file and its folder (default true). False for caches that may be lost in a crash but
   * must never be torn (the rename stays atomic), where the flush would cost every command its time.
   */
  durable?: boolean
}

/** Atomically replaces `path` with `data` (a string is written as UTF-8). See the module comment. */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  options: WriteFileAtomicOptions = {},
): Promise<WriteFileAtomicResult> {
  const mode = checkMode(options.mode)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const target = await resolveWriteTarget(resolve(path))
  try {
    return await replaceFile(target, bytes, mode, options.skipIfUnchanged !== false, options.durable !== false)
  } finally {
    // Whatever happened, temp files a killed bella left next to this target go (stale-temp.test.ts).
    await removeStaleTempFiles(target)
  }
}

async function replaceFile(target: string, bytes: Buffer, mode: number, skipIfUnchanged: boolean, durable: boolean): Promise<WriteFileAtomicResult> {
  const dir = dirname(target)
  if (skipIfUnchanged) {
    const same = await identicalFile(target, bytes)
    if (same) {
      if (!checksModes || (same.mode & 0o777) === mode) return 'unchanged'
      try {
        await chmod(target, mode)
        return 'unchanged'
      } catch {
        // Not ours to chmod (EPERM): replace it with a file of our own, below.
      }
    }
  }

  await createParentDirs(dir)
  const temp = tempPathFor(target)
  const release = holdTempFile(temp)
  let handle: FileHandle | undefined
  let created = false
  try {
    handle = await open(temp, 'wx', mode)
    created = true
    if (checksModes) await handle.chmod(mode)
    await handle.writeFile(bytes)
    if (durable) await handle.sync()
    const opened = handle
    handle = undefined
    await opened.close()
    await rename(temp, target)
  } catch (error) {
    if (handle) await handle.close().catch(() => {})
    if (created) await rm(temp, {force: true}).catch(() => {})
    throw error
  } finally {
    release()
  }
  if (durable) await syncDirectory(dir)
  return 'written'
}

/** The synchronous twin of {@link writeFileAtomic}, for callers that are synchronous already. */
export function writeFileAtomicSync(
  path: string,
  data: string | Buffer,
  options: WriteFileAtomicOptions = {},
): WriteFileAtomicResult {
  const mode = checkMode(options.mode)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const target = resolveWriteTargetSync(resolve(path))
  const dir = dirname(target)

  if (options.skipIfUnchanged !== false) {
    const same = identicalFileSync(target, bytes)
    if (same) {
      if (!checksModes || (same.mode & 0o777) === mode) return 'unchanged'
      try {
        chmodSync(target, mode)
        return 'unchanged'
      } catch {
        // Not ours to chmod (EPERM): replace it with a file of our own, below.
      }
    }
  }

  createParentDirsSync(dir)
  const temp = tempPathFor(target)
  let fd: number | undefined
  let created = false
  try {
    fd = openSync(temp, 'wx', mode)
    created = true
    if (checksModes) chmodSync(temp, mode)
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset)
    fsyncSync(fd)
    const opened = fd
    fd = undefined
    closeSync(opened)
    renameSync(temp, target)
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd)
      } catch {
        // already failing
      }
    }
    if (created) rmSync(temp, {force: true})
    throw error
  }
  syncDirectorySync(dir)
  return 'written'
}

function checkMode(mode: number | undefined): number {
  if (mode === undefined) return DEFAULT_FILE_MODE
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new RangeError(`file mode must be an integer from 0 to 0o777, got ${String(mode)}`)
  }
  return mode
}

// A regular file (not a symlink) with exactly these bytes, or undefined. Anything that prevents the
// comparison (no file, no permission to read it) means "write": the write reports real problems.
async function identicalFile(target: string, bytes: Buffer): Promise<Stats | undefined> {
  try {
    const stat = await lstat(target)
    if (!stat.isFile() || stat.size !== bytes.length) return undefined
    return (await readFile(target)).equals(bytes) ? stat : undefined
  } catch {
    return undefined
  }
}

function identicalFileSync(target: string, bytes: Buffer): Stats | undefined {
  try {
    const stat = lstatSync(target)
    if (!stat.isFile() || stat.size !== bytes.length) return undefined
    return readFileSync(target).equals(bytes) ? stat : undefined
  } catch {
    return undefined
  }
}

// The folders mkdir created, outermost first: from `first` (what mkdir returned) down to `dir`.
function createdChain(first: string, dir: string): string[] {
  const chain: string[] = []
  for (let current = dir; ; current = dirname(current)) {
    chain.unshift(current)
    if (current === first || dirname(current) === current) return chain
  }
}

async function createParentDirs(dir: string): Promise<void> {
  const first = await mkdir(dir, {recursive: true, mode: CREATED_DIR_MODE})
  if (first === undefined || !checksModes) return
  for (const created of createdChain(first, dir)) await chmod(created, CREATED_DIR_MODE)
}

function createParentDirsSync(dir: string): void {
  const first = mkdirSync(dir, {recursive: true, mode: CREATED_DIR_MODE})
  if (first === undefined || !checksModes) return
  for (const created of createdChain(first, dir)) chmodSync(created, CREATED_DIR_MODE)
}

// Makes the rename itself durable; unsupported on some platforms, where it is only best effort.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {})
  }
}

function syncDirectorySync(dir: string): void {
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
