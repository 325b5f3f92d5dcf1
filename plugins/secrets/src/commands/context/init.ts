import {BellaCommand, connectionFlags, escapeControls, sessionInputFrom, targetFlags} from '@bella/core'
import {contextInit} from '../../context-service.js'
import {choose, lineAsker} from '../../prompt.js'

export default class ContextInit extends BellaCommand {
  static override summary = 'Write .bella in this folder: the project and environment bella uses here.'
  static override description = 'At a terminal, a missing -p or -e is offered as a numbered choice; without one, both flags are required.'
  static override examples = ['<%= config.bin %> context init', '<%= config.bin %> context init -p shop -e dev']
  static override enableJsonFlag = true
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<{path: string; project: string; environment: string}> {
    const {flags} = await this.parse(ContextInit)
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY)
    const ask = lineAsker(process.stdin, process.stderr)
    const result = await contextInit({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      project: flags.project,
      environment: flags.environment,
      choose: interactive ? (title, choices) => choose(title, choices, ask, (t) => void process.stderr.write(t)) : undefined,
    })
    if (!this.jsonEnabled()) this.out.info(escapeControls(`Wrote ${result.path}: project ${result.project}, environment ${result.environment}`))
    return result
  }
}
