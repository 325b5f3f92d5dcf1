import {readFileSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {usageError} from '../errors.js'

export const BELLA_FILE_NAME = '.bella'

export interface BellaFileValues {
  project?: string
  environment?: string
  app?: string
}

const KEYS: Record<string, keyof BellaFileValues> = {project: 'project', environment: 'environment', env: 'environment', app: 'app'}

/**
 * Parses a `.bella` file exactly like the official CLI (contract §1.5), so one file works with
 * both: lines are trimmed; `#` lines and lines without `=` are skipped; the line splits at the
 * first `=`; the key is trimmed, stripped of `"` and lower-cased; the value is trimmed, then
 * stripped of `"`, then of `'`. There is no inline-comment syntax: `env = dev # x` means
 * `dev # x`. Unknown keys (such as `org`) are ignored; an empty value counts as absent; the last
 * occurrence of a key wins.
 */
export function parseBellaFile(text: string): BellaFileValues {
  const values: BellaFileValues = {}
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = KEYS[stripChar(line.slice(0, eq).trim(), '"').toLowerCase()]
    if (!key) continue
    const value = stripChar(stripChar(line.slice(eq + 1).trim(), '"'), "'")
    if (value === '') delete values[key]
    else values[key] = value
  }
  return values
}

/** Like .NET's `string.Trim(char)`: removes every leading and trailing `char`. */
function stripChar(text: string, char: string): string {
  let start = 0
  let end = text.length
  while (start < end && text[start] === char) start++
  while (end > start && text[end - 1] === char) end--
  return text.slice(start, end)
}

export interface FoundBellaFile {
  path: string
  values: BellaFileValues
}

/**
 * The nearest `.bella` walking up from `cwd` to the filesystem root, whatever keys it defines.
 * Unlike the official CLI (which skips files lacking project or environment), the nearest file
 * wins outright: a project-only `.bella` in a sub-folder does not silently pick up the environment
 * of an unrelated `.bella` further up, and what applies is always one file that `whoami` can name.
 */
export function findBellaFile(cwd: string): FoundBellaFile | undefined {
  let dir = resolve(cwd)
  for (;;) {
    const path = join(dir, BELLA_FILE_NAME)
    if (statSync(path, {throwIfNoEntry: false})?.isFile()) return {path, values: readBellaFile(path)}
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

function readBellaFile(path: string): BellaFileValues {
  try {
    return parseBellaFile(readFileSync(path, 'utf8'))
  } catch (error) {
    throw usageError(`Could not read ${path}: ${(error as Error).message}`, {
      code: 'invalid_config',
      suggestions: [`check the permissions of ${path}, or remove it`],
      cause: error,
    })
  }
}
