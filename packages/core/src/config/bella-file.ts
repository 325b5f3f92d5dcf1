import {readFileSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {closestName} from '../did-you-mean.js'
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

/** A line of a `.bella` file that bella skips: shown as a warning, never fatal (the official CLI skips it too). */
export interface BellaFileProblem {
  /** 1-based. */
  line: number
  message: string
}

const KNOWN_KEYS = Object.keys(KEYS)
/** Written by the official CLI (`org = "<slug>"`): known, not used by bella, not worth a warning. */
const QUIET_KEYS = new Set(['org'])
const URL_KEYS = new Set(['url', 'api-url', 'apiurl', 'api_url', 'baxter-url', 'baxterurl', 'baxter_url', 'bella_baxter_url'])

/**
 * What `parseBellaFile` skips that the user probably meant: unknown keys (with a did-you-mean),
 * lines without `=` (YAML or JSON pasted in), and an API URL, which is ignored on purpose.
 */
export function lintBellaFile(text: string): BellaFileProblem[] {
  const problems: BellaFileProblem[] = []
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/^\uFEFF/, '').trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    if (eq < 0) {
      problems.push({line: index + 1, message: notKeyValue(line)})
      return
    }
    const key = stripChar(line.slice(0, eq).trim(), '"').toLowerCase()
    if (KEYS[key] || QUIET_KEYS.has(key)) return
    if (URL_KEYS.has(key)) {
      problems.push({
        line: index + 1,
        message:
          `"${key}" is ignored on purpose: a .bella file is checked in with the code, and must not redirect where your credentials are sent; ` +
          'use BELLA_BAXTER_URL, --api-url or `bella config set api-url <url>`',
      })
      return
    }
    const near = closestName(key, KNOWN_KEYS)
    problems.push({line: index + 1, message: `unknown key "${clip(key)}" is ignored${near ? ` (did you mean "${near}"?)` : ''}; known keys: project, environment (or env), app`})
  })
  return problems
}

/** A line without `=`: say what it looks like (YAML `key: value`, JSON) and how to write it. */
function notKeyValue(line: string): string {
  const yaml = /^["']?([A-Za-z_][\w-]*)["']?\s*:\s*(.*?)\s*,?$/.exec(line)
  if (yaml) {
    const key = yaml[1]!.toLowerCase()
    const known = KEYS[key] ? key : closestName(key, KNOWN_KEYS)
    const value = stripChar(stripChar(yaml[2]!, '"'), "'")
    if (known) return `this line is not \`key = value\` and is ignored (did you mean "${known} = ${clip(value)}"?); .bella is not YAML or JSON`
  }
  if (/^[[\]{}]/.test(line)) return 'this line is not `key = value` and is ignored; .bella is not JSON: write one `key = value` per line'
  return 'this line is not `key = value` and is ignored; write `project = <slug>`, `environment = <slug>` or `app = <name>`'
}

/** Bounded and free of control characters: file text goes to a terminal. */
function clip(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean
}

export interface FoundBellaFile {
  path: string
  values: BellaFileValues
  problems: BellaFileProblem[]
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
    if (statSync(path, {throwIfNoEntry: false})?.isFile()) {
      const text = readBellaFile(path)
      return {path, values: parseBellaFile(text), problems: lintBellaFile(text)}
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

function readBellaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw usageError(`Could not read ${path}: ${(error as Error).message}`, {
      code: 'invalid_config',
      suggestions: [`check the permissions of ${path}, or remove it`],
      cause: error,
    })
  }
}
