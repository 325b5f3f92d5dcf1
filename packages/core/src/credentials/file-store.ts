import {existsSync, readFileSync, rmSync} from 'node:fs'
import {dirname} from 'node:path'
import {generalError, usageError} from '../errors.js'
import {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  formatMode,
  tightenMode,
  writePrivateFileAtomic,
} from '../config/private-files.js'
import type {CredentialStore} from './store.js'

export interface FileStoreOptions {
  /** Absolute path of credentials.json. */
  path: string
  /** The same path as shown in messages (`~/…`). */
  shownPath: string
  notice: (message: string) => void
  /** Called once, after the first write that created the file. */
  onCreate?: () => void
}

/**
 * A JSON object of name → value in a file only the owner can read (0600, folder 0700, replaced
 * atomically). Opening it tightens an existing folder or file with looser modes: an earlier tool
 * or a copy may have left them readable by others, and then the user should hear about it.
 */
export function openFileStore(options: FileStoreOptions): CredentialStore {
  const {path, shownPath, notice} = options
  if (existsSync(dirname(path))) tightenMode(dirname(path), PRIVATE_DIR_MODE)
  const before = tightenMode(path, PRIVATE_FILE_MODE)
  if (before !== undefined) {
    notice(
      `${shownPath} was readable by other users (mode ${formatMode(before)}); it is now 0600. ` +
        'If anyone else can use this machine, rotate the stored API key (bella api-keys rotate).',
    )
  }
  let onCreate = options.onCreate

  const read = (): Record<string, string> => readCredentialsFile(path, shownPath)
  const write = (entries: Record<string, string>): void => {
    try {
      writePrivateFileAtomic(path, `${JSON.stringify(entries, null, 2)}\n`)
    } catch (error) {
      throw generalError(`Could not write ${shownPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        code: 'credential_store_write_failed',
        suggestions: [`check that ${dirname(shownPath)} is writable by you`],
        cause: error,
      })
    }
  }

  return {
    backend: 'file',
    location: path,
    async get(name) {
      return read()[name]
    },
    async set(name, value) {
      const created = !existsSync(path)
      write({...read(), [name]: value})
      if (created && onCreate) {
        const callback = onCreate
        onCreate = undefined
        callback()
      }
    },
    async delete(name) {
      const entries = read()
      if (!Object.hasOwn(entries, name)) return false
      delete entries[name]
      if (Object.keys(entries).length === 0) rmSync(path, {force: true})
      else write(entries)
      return true
    },
  }
}

function readCredentialsFile(path: string, shownPath: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw generalError(`Could not read ${shownPath}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`, {
      code: 'credential_store_read_failed',
      suggestions: [`check the permissions of ${shownPath}`],
      cause: error,
    })
  }
  // The parser's own message quotes the text, which here is a secret, so it is not passed on.
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((value) => typeof value !== 'string')
  ) {
    throw usageError(`${shownPath} is damaged: it must be a JSON object of strings`, {
      code: 'credential_store_damaged',
      suggestions: [`delete ${shownPath} and run bella login again`],
    })
  }
  return parsed as Record<string, string>
}
