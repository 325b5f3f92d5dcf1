/**
 * What an atomic write may replace. A secrets file is a regular file:
 *
 * - a regular file, or nothing yet: written as asked;
 * - a symbolic link to a regular file (or a chain of them): written *through* — the link stays and
 *   the file it points to is replaced atomically, its temp file in that file's own folder (a link
 *   is how a sink is pointed at a mounted volume; silently replacing it with a file would cut it);
 * - a dangling link, a character or block device, a FIFO or a socket: refused with a usage error
 *   naming the path and what it is. As root a rename would otherwise replace /dev/full or
 *   /dev/stdout with a file of secrets; a FIFO would hand them to whoever reads it.
 *
 * Folders are left to the write itself, which fails on them ("it is a folder").
 */
import {lstatSync, realpathSync, statSync, type Stats} from 'node:fs'
import {lstat, realpath, stat} from 'node:fs/promises'
import {usageError} from '../errors.js'

function kindOf(stats: Stats): string | undefined {
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  return undefined
}

function refuse(path: string, resolved: string, kind: string) {
  const through = resolved === path ? '' : ` (through the symbolic link ${path})`
  return usageError(`${resolved}${through} is ${kind}, not a regular file: secrets are written only to regular files`, {
    code: 'special_file_target',
    suggestions: ['point the path at a regular file (or at a symbolic link to one)'],
  })
}

function dangling(path: string) {
  return usageError(`${path} is a symbolic link to a file that does not exist (or a loop of links); not replacing the link`, {
    code: 'dangling_link_target',
    suggestions: [`create the file the link points to, or remove the link so that ${path} can be created`],
  })
}

const missing = (error: unknown) => ['ENOENT', 'ELOOP', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')

/** The regular file to replace for `path` (itself, or what its links lead to). See the module comment. */
export async function resolveWriteTarget(path: string): Promise<string> {
  let link: Stats
  try {
    link = await lstat(path)
  } catch {
    return path // nothing there (or unreadable): the write itself reports real problems
  }
  let resolved = path
  if (link.isSymbolicLink()) {
    try {
      resolved = await realpath(path)
    } catch (error) {
      if (missing(error)) throw dangling(path)
      throw error
    }
  }
  const kind = kindOf(link.isSymbolicLink() ? await stat(resolved) : link)
  if (kind) throw refuse(path, resolved, kind)
  return resolved
}

/** The synchronous twin of {@link resolveWriteTarget}. */
export function resolveWriteTargetSync(path: string): string {
  let link: Stats
  try {
    link = lstatSync(path)
  } catch {
    return path
  }
  let resolved = path
  if (link.isSymbolicLink()) {
    try {
      resolved = realpathSync(path)
    } catch (error) {
      if (missing(error)) throw dangling(path)
      throw error
    }
  }
  const kind = kindOf(link.isSymbolicLink() ? statSync(resolved) : link)
  if (kind) throw refuse(path, resolved, kind)
  return resolved
}
