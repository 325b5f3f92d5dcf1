import {Flags} from '@oclif/core'
import {BellaCommand, escapeControls, sessionInputFrom, targetFlags} from '@bella/core'
import {contextGet} from '../../context-service.js'

export default class ContextGet extends BellaCommand {
  static override summary = 'Print project/environment for this folder, without asking the API (for shell prompts).'
  static override description = 'Uses flags, BELLA_BAXTER_PROJECT/BELLA_BAXTER_ENV, .bella and the user config only. With --quiet, nothing but project/environment is printed, and nothing at all (exit 2) when there is no context.'
  static override examples = ['<%= config.bin %> context get --quiet', 'PS1=\'[$(<%= config.bin %> context get --quiet 2>/dev/null)] $ \'']
  static override enableJsonFlag = true
  static override flags = {...targetFlags, quiet: Flags.boolean({char: 'q', description: 'Print project/environment alone; no messages.', default: false})}

  async run(): Promise<{project: string; environment: string; sources: {project: string; environment: string}}> {
    const {flags} = await this.parse(ContextGet)
    let got
    try {
      got = contextGet(sessionInputFrom(flags, (m) => this.out.info(m)))
    } catch (error) {
      if (flags.quiet && !this.jsonEnabled()) return this.exit(2) as never
      throw error
    }
    const result = {project: got.project.value, environment: got.environment.value, sources: {project: got.project.origin, environment: got.environment.origin}}
    if (this.jsonEnabled()) return result
    this.out.result(escapeControls(`${result.project}/${result.environment}`))
    if (!flags.quiet) this.out.info(escapeControls(`project from ${result.sources.project}, environment from ${result.sources.environment}`))
    return result
  }
}
