/**
 * oclif's parse errors (an unknown flag, a missing required flag or argument, a value a flag's
 * parser refused) turned into bella usage errors: one message line naming the command, then
 * `Try:` lines, exit 2, like every other bella error. Recognised by shape, not `instanceof`, so this
 * module never imports @oclif/core (it is on the fast run path's import chain).
 */
import {closestName} from './did-you-mean.js'
import {isBellaError, usageError, type BellaError} from './errors.js'

interface OclifErrorShape {
  message: string
  code?: unknown
  oclif?: {exit?: unknown}
  parse?: {input?: {flags?: Record<string, {char?: string; hidden?: boolean}>}}
  flags?: unknown
  args?: unknown
}

const SEE_HELP = /\s*See more help with --help\s*$/
const ANSI = /\u001B\[[0-9;]*m/g
const PARSER_WORDS = /^(Flag --\S+ (expects a value|can only be specified once)|Parsing --|Expected --)/

/** An error from oclif's flag and argument parser (not an ExitError, not a bella error). */
export function isOclifParseError(error: unknown): boolean {
  if (isBellaError(error) || typeof error !== 'object' || error === null) return false
  const e = error as OclifErrorShape
  if (typeof e.message !== 'string' || e.code === 'EEXIT') return false
  if (PARSER_WORDS.test(e.message)) return true
  return e.oclif !== undefined && (e.parse !== undefined || SEE_HELP.test(e.message))
}

const clean = (message: string) => message.replace(ANSI, '').replace(SEE_HELP, '')
const oneLine = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean).join(' ')
const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text)

/** `--watch` and `-w` of every visible flag the command has. */
function flagSpellings(error: OclifErrorShape): string[] {
  const flags = error.parse?.input?.flags ?? {}
  return Object.entries(flags)
    .filter(([, flag]) => !flag.hidden)
    .flatMap(([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])])
}

function describe(error: OclifErrorShape, command: string): {message: string; code: string; hints: string[]} {
  const text = clean(error.message)
  if (Array.isArray(error.flags)) {
    const typed = (error.flags as string[]).map((flag) => flag.split('=')[0]!)
    const spellings = flagSpellings(error).filter((s) => s.startsWith('--'))
    const hints = typed.flatMap((flag) => {
      const closest = closestName(flag, spellings)
      return closest ? [`did you mean ${closest}?`] : []
    })
    return {message: `${command} has no flag${typed.length === 1 ? '' : 's'} ${typed.join(', ')}`, code: 'unknown_flag', hints}
  }
  if (Array.isArray(error.args) && /^Missing \d+ required arg/.test(text)) {
    const args = error.args as Array<{name?: string; description?: string}>
    const named = args.map((arg) => `${(arg.name ?? '').toUpperCase()}${arg.description ? ` (${arg.description.replace(/\.$/, '')})` : ''}`)
    return {message: `${command} needs ${named.join(', ')}`, code: 'missing_argument', hints: []}
  }
  if (/^Unexpected arguments?: /.test(text)) {
    return {message: `${command} does not take ${oneLine(text.replace(/^Unexpected arguments?: /, '')).split(', ').map((a) => JSON.stringify(a)).join(', ')}`, code: 'unexpected_argument', hints: []}
  }
  const reasons = /^The following errors? occurred:/.exec(text)
  if (reasons) {
    const list = text.slice(reasons[0].length).split('\n').map((line) => line.trim()).filter(Boolean)
    const missing = list.map((reason) => /^Missing required flag (\S+)$/.exec(reason)?.[1])
    if (missing.every(Boolean)) return {message: `${command} needs ${missing.map((name) => `--${name}`).join(' and ')}`, code: 'missing_flag', hints: []}
    return {message: `${command}: ${list.map(lowerFirst).join('; ')}`, code: 'invalid_flags', hints: []}
  }
  const parsing = /^Parsing (--\S+)\s*\n\s*([\s\S]*)$/.exec(text)
  if (parsing) return {message: `invalid value for ${parsing[1]}: ${lowerFirst(oneLine(parsing[2]!))}`, code: 'invalid_flag_value', hints: []}
  return {message: oneLine(text), code: 'invalid_flags', hints: []}
}

/**
 * The bella usage error for an oclif parse error of `commandId` (`api-keys:create` or
 * `api-keys create`; empty when no command was found). Anything else is returned unchanged.
 */
export function toUsageError(error: unknown, commandId: string | undefined, bin = 'bella'): unknown {
  if (!isOclifParseError(error)) return error
  const id = (commandId ?? '').replaceAll(':', ' ').trim()
  const command = id ? `${bin} ${id}` : bin
  const {message, code, hints} = describe(error as OclifErrorShape, command)
  return usageError(message, {code, suggestions: [...hints, `${command} --help`], cause: error}) satisfies BellaError
}
