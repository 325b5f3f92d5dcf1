/**
 * The host's error path for what fails outside a bella command's own catch(): oclif's plugins
 * (help, plugins, autocomplete, …) and anything before a command runs. oclif's parse errors print
 * as bella usage errors (`Error: …` and `  Try: …` lines, exit 2, or the --json envelope); every
 * other error goes to oclif's own handler, as before.
 */
import {Errors, type Config} from '@oclif/core'
import {errorEnvelope, isOclifParseError, renderError, toUsageError} from '@bella/core/runtime'

/** The id of the command argv names (`api-keys:create`), if any: the longest run of leading words. */
export function commandIdOf(argv: readonly string[], config: Pick<Config, 'findCommand'> | undefined): string | undefined {
  if (!config) return undefined
  const words: string[] = []
  for (const arg of argv) {
    if (arg.startsWith('-')) break
    words.push(arg)
  }
  for (let count = words.length; count > 0; count--) {
    const id = words.slice(0, count).join(':')
    if (config.findCommand(id)) return id
  }
  return undefined
}

export async function handleHostError(error: unknown, argv: readonly string[], config?: Config): Promise<void> {
  if (!isOclifParseError(error)) return Errors.handle(error as Error)
  const usage = toUsageError(error, commandIdOf(argv, config), config?.bin ?? 'bella')
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(errorEnvelope(usage), null, 2)}\n`)
  else process.stderr.write(renderError(usage))
  return Errors.handle(new Errors.ExitError(2))
}
