import {BellaCommand, connectionFlags, maskControls, sessionInputFrom, targetFlags} from '@bella/core'
import type {EnvironmentSummary} from '../../api.js'
import {environmentsList} from '../../browse-service.js'
import {tableWidth} from '../../flags.js'
import {renderTable} from '../../table.js'
import {slug} from '../../target.js'

export default class EnvironmentsList extends BellaCommand {
  static override summary = "List a project's environments."
  static override examples = ['<%= config.bin %> environments list -p shop', '<%= config.bin %> environments list --json']
  static override enableJsonFlag = true
  static override flags = {project: targetFlags.project, ...connectionFlags}

  async run(): Promise<{project: string; environments: EnvironmentSummary[]}> {
    const {flags} = await this.parse(EnvironmentsList)
    const result = await environmentsList(sessionInputFrom(flags, (m) => this.out.info(m)))
    if (this.jsonEnabled()) return result
    if (result.environments.length === 0) this.out.info(`Project ${slug(result.project)} has no environments these credentials can see.`)
    else {
      const rows = result.environments.map((e) => [slug(e.slug), maskControls(e.name), String(e.providerCount ?? '-'), String(e.secretCount ?? '-')])
      this.out.result(renderTable(['SLUG', 'NAME', 'PROVIDERS', 'SECRETS'], rows, {width: tableWidth(), flex: 1}))
    }
    return result
  }
}
