/**
 * Where the emulator's PostgreSQL admin URL comes from, and keeping its password out of `ps`:
 * the command line is readable by every user of the machine (`ps -ef`, /proc/PID/cmdline), the
 * environment and a 0600 file are not.
 */
import {readFileSync} from 'node:fs'
import {usageError} from '@bella/core'

/** True when `url` carries a password (`postgres://user:PASSWORD@…` or `?password=…`). */
export function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.password !== '' || parsed.searchParams.has('password')
  } catch {
    return /:[^/@]*[^/@:]@/.test(url) || /[?&]password=/i.test(url)
  }
}

/** The URL in `path`: its first non-empty line, trimmed. Errors never quote the file's content. */
export function readPostgresUrlFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw usageError(`cannot read --postgres-url-file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      code: 'postgres_url_file_unreadable',
      suggestions: ['give a file holding the admin URL on its first line, readable by you (chmod 600)'],
    })
  }
  const url = text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '')
  if (!url) throw usageError(`--postgres-url-file ${path} is empty`, {code: 'postgres_url_file_empty', suggestions: ['put the admin URL on its first line']})
  return url
}

export const PASSWORD_ON_ARGV_WARNING =
  '--postgres-url holds a password, which every user of this machine can read in `ps` while the emulator runs; ' +
  'pass it in BELLA_EMULATOR_POSTGRES_URL or in a file only you can read (--postgres-url-file PATH) instead'
