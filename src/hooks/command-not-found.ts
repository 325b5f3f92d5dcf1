/**
 * `bella rn`: an unknown command is a usage error (exit 2, as SPEC documents), with the closest
 * command suggested whether or not a terminal is attached. @oclif/plugin-not-found was tried: it
 * suggests only at a terminal (where it offers to run another command than the one typed), and
 * exits 127, which bella documents as "the child command was not found".
 */
import {closestName, quoteText, renderError, usageError} from '@bella/core/runtime'
import {toConfiguredId, type Hook} from '@oclif/core'

const hook: Hook<'command_not_found'> = async function (options) {
  const {config, id} = options
  const visible = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const closest = closestName(id, visible)
  const typed = toConfiguredId(id, config)
  const suggestions = [
    ...(closest ? [`did you mean: ${config.bin} ${toConfiguredId(closest, config)}`] : []),
    `${config.bin} help lists every command`,
  ]
  process.stderr.write(renderError(usageError(`${quoteText(typed)} is not a ${config.bin} command`, {code: 'command_not_found', suggestions})))
  this.exit(2)
}

export default hook
