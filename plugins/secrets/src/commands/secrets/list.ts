import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, escapeControls, maskControls, quoteName, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {providerFlag, tableWidth} from '../../flags.js'
import {secretsList, type ListedSecret} from '../../secrets-service.js'
import {renderTable, shortTime} from '../../table.js'
import {slug} from '../../target.js'

export default class SecretsList extends BellaCommand {
  static override summary = "List an environment's secrets: name, provider, type and last change. Never values, unless --reveal."
  static override description = '--reveal shows values only at a terminal, or with --json; piped output never carries values unasked.'
  static override examples = ['<%= config.bin %> secrets list', '<%= config.bin %> secrets list -p shop -e dev --provider vault', '<%= config.bin %> secrets list --json --reveal']
  static override enableJsonFlag = true
  static override flags = {
    ...targetFlags,
    ...providerFlag,
    reveal: Flags.boolean({description: 'Also show values (at a terminal, or with --json).', default: false}),
    ...connectionFlags,
  }

  async run(): Promise<{project: string; environment: string; secrets: ListedSecret[]}> {
    const {flags} = await this.parse(SecretsList)
    if (flags.reveal && !this.jsonEnabled() && !process.stdout.isTTY) {
      throw usageError('--reveal prints values only at a terminal, or as --json', {code: 'reveal_not_terminal', suggestions: ['bella secrets list --json --reveal', 'bella secrets get KEY for one value']})
    }
    const result = await secretsList({session: sessionInputFrom(flags, (m) => this.out.info(m)), provider: flags.provider, reveal: flags.reveal})
    if (this.jsonEnabled()) return result
    if (result.secrets.length === 0) {
      this.out.info(`No secrets in ${slug(result.project)}/${slug(result.environment)}.`)
      return result
    }
    const header = ['NAME', 'PROVIDER', 'TYPE', 'UPDATED', ...(flags.reveal ? ['VALUE'] : [])]
    const rows = result.secrets.map((s) => [quoteName(s.name), slug(s.provider), maskControls(s.type ?? '-'), shortTime(s.updatedAt), ...(flags.reveal ? [escapeControls(s.value ?? '')] : [])])
    this.out.result(renderTable(header, rows, {width: tableWidth(), flex: flags.reveal ? 4 : 0}))
    return result
  }
}
