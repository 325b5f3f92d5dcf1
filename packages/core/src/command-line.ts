import {quoteText} from './display.js'
import {isBellaError, usageError} from './errors.js'
import {toUsageError} from './parse-errors.js'

/**
 * The command and its arguments exactly as typed after the first `--`. oclif's non-strict argv is
 * re-sorted by each value's first position in the raw argv (`-e dev -- node -e 1` would come back
 * as `-e node 1`), so only the raw argv can be trusted, and without `--` there is no safe way to
 * tell bella's flags from the command's: then `--` is required.
 */
export function commandLine(raw: readonly string[], parsed: readonly string[], commandId: string): string[] {
  const dashdash = raw.indexOf('--')
  if (dashdash !== -1) {
    const after = raw.slice(dashdash + 1)
    // oclif's positionals are the words after -- plus any before it; one before it is no flag's
    // value and no part of the command (`--max-stale 3 weeks -- cmd`): refused, not dropped.
    const stray = [...parsed]
    for (const word of after) {
      const at = stray.indexOf(word)
      if (at !== -1) stray.splice(at, 1)
    }
    if (stray.length > 0) {
      throw usageError(`bella ${commandId} does not take ${quoteText(stray[0]!, 80)} before --`, {
        code: 'unexpected_argument',
        suggestions: [
          'a flag value with spaces needs quotes (--flag "two words"); otherwise drop the word',
          `the command and its arguments go after --: bella ${commandId} [flags] -- CMD [ARGS...]`,
        ],
      })
    }
    return after
  }
  if (parsed.length > 0) {
    throw usageError(`bella ${commandId} takes the command to run after --`, {
      code: 'command_needs_dashdash',
      // Only the first word is certain: oclif may already have taken the command's own flags.
      suggestions: [`bella ${commandId} [flags] -- ${parsed[0]} [its arguments]`],
    })
  }
  return []
}

/**
 * oclif's parse for a command that takes `-- CMD`. Without `--`, a flag error is most likely the
 * command's own flags read as bella's (`bella run -e dev node -e 1`: "--environment can only be
 * specified once"), so the error (oclif's, as a bella usage error: parse-errors.ts) adds how to keep
 * the two apart.
 */
export async function parseCommandFlags<T>(raw: readonly string[], commandId: string, parse: () => Promise<T>): Promise<T> {
  try {
    return await parse()
  } catch (error) {
    const usage = toUsageError(error, commandId)
    if (raw.includes('--')) throw usage
    const suggestions = isBellaError(usage) ? usage.suggestions.filter((s) => !s.endsWith(' --help')) : []
    throw usageError((usage as Error).message, {
      code: isBellaError(usage) ? usage.code : 'invalid_flags',
      suggestions: [...suggestions, `if a flag belongs to the command, put the command after --: bella ${commandId} [flags] -- CMD [ARGS...]`],
      cause: error,
    })
  }
}
