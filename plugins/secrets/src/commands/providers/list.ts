import {BellaCommand, connectionFlags, maskControls, sessionInputFrom, targetFlags} from '@bella/core'
import type {ProviderSummary} from '../../api.js'
import {providersList} from '../../browse-service.js'
import {tableWidth} from '../../flags.js'
import {renderTable} from '../../table.js'
import {slug} from '../../target.js'

export default class ProvidersList extends BellaCommand {
  static override summary = 'List the secret providers assigned to an environment, in merge order (a later one wins a name both hold).'
  static override examples = ['<%= config.bin %> providers list -p shop -e dev', '<%= config.bin %> providers list --json']
  static override enableJsonFlag = true
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<{project: string; environment: string; providers: ProviderSummary[]}> {
    const {flags} = await this.parse(ProvidersList)
    const result = await providersList(sessionInputFrom(flags, (m) => this.out.info(m)))
    if (this.jsonEnabled()) return result
    if (result.providers.length === 0) this.out.info(`No providers are assigned to ${slug(result.project)}/${slug(result.environment)}.`)
    else {
      const rows = result.providers.map((p) => [slug(p.slug), maskControls(p.name), maskControls(p.type), maskControls(p.region ?? '-')])
      this.out.result(renderTable(['SLUG', 'NAME', 'TYPE', 'REGION'], rows, {width: tableWidth(), flex: 1}))
    }
    return result
  }
}
