/**
 * What every file-writing sink shares: the `{path, mode}` options, the atomic write, error messages
 * that name the file but never its content, and a stable key order. A sink plugin supplies only the
 * rendering (secrets → text); a third-party sink can use the same helper.
 */
import {dirname, resolve} from 'node:path'
import {quoteText} from '../display.js'
import {generalError, isBellaError, usageError} from '../errors.js'
import type {Secrets, Sink, SinkContext, SinkDefinition} from '../strategies/types.js'
import {DEFAULT_FILE_MODE, writeFileAtomic} from './atomic.js'
import {formatFileMode, parseFileMode} from './mode.js'
import {resolveWriteTarget} from './target.js'
import {removeStaleTempFiles} from './temp-files.js'

export interface FileSinkOptions {
  /** Absolute path of the file (a relative `path` option is resolved against the context's baseDir). */
  path: string
  /** Exact permission bits of the file. */
  mode: number
}

const FILE_SINK_OPTIONS = ['path', 'mode'] as const

/**
 * Validates a file sink's options: `path` (required, a non-empty string, relative to
 * `context.baseDir`) and `mode` (optional, see parseFileMode; default 0600). Any other option is a
 * usage error naming it and listing the allowed ones.
 */
export function parseFileSinkOptions(options: Readonly<Record<string, unknown>>, context: SinkContext): FileSinkOptions {
  const allowed: readonly string[] = FILE_SINK_OPTIONS
  const unknown = Object.keys(options).filter((name) => !allowed.includes(name))
  if (unknown.length > 0) {
    const names = unknown.map((name) => quoteText(name)).join(', ')
    throw usageError(`unknown option${unknown.length > 1 ? 's' : ''} ${names}`, {
      code: 'sink_unknown_option',
      suggestions: [`a file sink takes only: ${allowed.join(', ')}`],
    })
  }
  const path = options['path']
  if (path === undefined || path === null) {
    throw usageError('option "path" is required: the file to write', {
      code: 'sink_missing_option',
      suggestions: ['for example path: ./.env (relative to the config file)'],
    })
  }
  if (typeof path !== 'string' || path.trim() === '') {
    throw usageError(`option "path" must be a non-empty string (a file name), not ${typeof path === 'string' ? 'an empty one' : `a ${typeof path}`}`, {
      code: 'sink_invalid_option',
    })
  }
  if (path.includes('\0')) {
    throw usageError('option "path" must not contain a NUL character', {code: 'sink_invalid_option'})
  }
  const mode = options['mode'] === undefined ? DEFAULT_FILE_MODE : parseFileMode(options['mode'], 'mode')
  return {path: resolve(context.baseDir, path), mode}
}

export interface FileSinkFormat {
  /**
   * Renders the whole file. Throws a BellaError naming the secret (never its value) when a secret
   * cannot be represented in the format; then nothing is written.
   */
  render(secrets: Secrets): string
  /**
   * Reads rendered text back. When given, every write is checked first: the text must parse back
   * to exactly the secrets, or nothing is written (a BellaError naming the file, never a value).
   */
  parse?(text: string): Record<string, string> | Promise<Record<string, string>>
}

/** A file format as a sink strategy: its name, how it renders, and how it reads back. */
export interface FileSinkSpec {
  name: string
  description: string
  render: FileSinkFormat['render']
  /** Reads a written file back (the contract test's round trip; `verifyWrites` uses it too). */
  parse: NonNullable<FileSinkFormat['parse']>
  /** Parse every file back before writing it; one that would not read back is never written. */
  verifyWrites?: boolean
}

/**
 * The sink definition for a file format: written with createFileSink (`path`, `mode`, atomic),
 * exported with `render`, read back with `parse`.
 */
export function fileSinkDefinition(spec: FileSinkSpec): SinkDefinition {
  const format: FileSinkFormat = spec.verifyWrites ? {render: spec.render, parse: spec.parse} : {render: spec.render}
  return {
    name: spec.name,
    description: spec.description,
    create: (options, context) => createFileSink(format, options, context),
    render: spec.render,
    parse: spec.parse,
  }
}

/** A sink that renders the secrets and writes them with writeFileAtomic (skipping identical bytes). */
export function createFileSink(format: FileSinkFormat, options: Readonly<Record<string, unknown>>, context: SinkContext): Sink {
  const {path, mode} = parseFileSinkOptions(options, context)
  const warning = readableModeWarning(path, mode)
  return {
    target: path,
    warnings: warning ? [warning] : [],
    // Temp files sit next to the file a link leads to, so look there.
    removeStale: async () => removeStaleTempFiles(await resolveWriteTarget(path).catch(() => path)),
    async write(secrets) {
      const text = format.render(secrets)
      if (format.parse) await checkRoundTrip(path, text, secrets, format.parse)
      try {
        return await writeFileAtomic(path, text, {mode})
      } catch (error) {
        throw fileWriteError(path, error)
      }
    },
  }
}

/** A warning when `mode` lets the file's group or everyone read the secrets; else undefined. */
export function readableModeWarning(path: string, mode: number): string | undefined {
  const group = (mode & 0o040) !== 0
  const world = (mode & 0o004) !== 0
  if (!group && !world) return undefined
  const who = group && world ? 'group- and world-readable' : group ? 'group-readable' : 'world-readable'
  return `mode ${formatFileMode(mode)} makes ${path} ${who}: anyone ${world ? 'on this machine' : 'in its group'} can read the secrets in it (0600 keeps them to the owner)`
}

/** Throws unless `parse(text)` gives back exactly `secrets`; the message names at most one secret, by name. */
async function checkRoundTrip(
  path: string,
  text: string,
  secrets: Secrets,
  parse: (text: string) => Record<string, string> | Promise<Record<string, string>>,
): Promise<void> {
  let problem: string | undefined
  try {
    const back = (await parse(text)) as unknown
    if (typeof back !== 'object' || back === null || Array.isArray(back)) problem = 'it does not read back as a map of names to values'
    else {
      const read = back as Record<string, unknown>
      const names = Object.keys(secrets)
      const differing = names.find((name) => !Object.hasOwn(read, name) || read[name] !== secrets[name])
      if (differing !== undefined) problem = `secret ${shortName(differing)} does not read back the same`
      else if (Object.keys(read).length !== names.length) problem = 'it reads back with names that are not secrets'
    }
  } catch {
    problem = 'it cannot be parsed back'
  }
  if (problem === undefined) return
  throw generalError(`not writing ${path}: ${problem}; the file keeps what it had`, {
    code: 'sink_round_trip_failed',
    suggestions: ['this is a bug in the sink for this format: please report it (with the secret names, never the values)'],
  })
}

function shortName(name: string): string {
  return quoteText(name, 60)
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a parent of it is not a folder',
  ENOTEMPTY: 'it is a non-empty folder',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EFBIG: 'the file is too large',
  EIO: 'input/output error',
}

/** A general BellaError for a failed file write: the errno and what to check, no content. */
export function fileWriteError(path: string, error: unknown): Error {
  if (isBellaError(error)) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  const reason = code ? `${REASONS[code] ?? 'the file system refused'} (${code})` : (error as Error).message
  return generalError(reason, {
    code: 'sink_write_failed',
    suggestions: [`check that ${dirname(path)} exists or can be created, and that you may write there`],
    cause: error,
  })
}

/**
 * Orders strings by Unicode code point (what "sorted" means for sink files), which differs from
 * JavaScript's default UTF-16 code-unit order only when astral characters meet U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// At the first differing code unit, surrogates (astral characters) must rank above U+E000–U+FFFF.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000
  if (unit >= 0xe000) return unit - 0x800
  return unit
}

/** The secrets' names in code-point order. */
export function sortedKeys(secrets: Secrets): string[] {
  return Object.keys(secrets).sort(compareCodePoints)
}
