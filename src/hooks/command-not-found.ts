/**
 * `bella rn`: an unknown command is a usage error (exit 2, as SPEC documents), with the closest
 * command suggested whether or not a terminal is attached. @oclif/plugin-not-found was tried: it
 * suggests only at a terminal (where it offers to run another command than the one typed), and
 * exits 127, which bella documents as "the child command was not found".
 */
import {closestName, quoteText, renderError, usageError, type BellaError} from '@bella/core/runtime'
import {toConfiguredId, type Hook, type Interfaces} from '@oclif/core'

/** The usage error for command id `id` (colon-separated, as oclif passes it). */
export function unknownCommandError(config: Interfaces.Config, id: string): BellaError {
  const visible = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const closest = closestName(id, visible)
  const suggestions = [
    ...(closest ? [`did you mean: ${config.bin} ${toConfiguredId(closest, config)}`] : []),
    `${config.bin} help lists every command`,
  ]
  return usageError(`${quoteText(toConfiguredId(id, config))} is not a ${config.bin} command`, {code: 'command_not_found', suggestions})
}

const hook: Hook<'command_not_found'> = async function (options) {
  process.stderr.write(renderError(unknownCommandError(options.config, options.id)))
  this.exit(2)
}

export default hook
