import {Args, Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, quoteName, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {providerFlag} from '../../flags.js'
import {confirm, lineAsker} from '../../prompt.js'
import {describeNames, secretsDelete, type DeletePlan} from '../../write-service.js'
import {slug} from '../../target.js'

export default class SecretsDelete extends BellaCommand {
  static override summary = 'Delete secrets. Asks first at a terminal; without one, --yes is required.'
  static override description = 'Without --provider, a name is deleted from every provider holding it. Every name must exist, or nothing is deleted.'
  static override examples = ['<%= config.bin %> secrets delete OLD_TOKEN', '<%= config.bin %> secrets delete A B --provider vault --yes']
  static override enableJsonFlag = true
  static override strict = false
  static override args = {key: Args.string({description: 'Secret names.', required: true})}
  static override flags = {...targetFlags, ...providerFlag, yes: Flags.boolean({char: 'y', description: 'Do not ask.', default: false}), ...connectionFlags}

  async run(): Promise<DeletePlan> {
    const {argv, flags} = await this.parse(SecretsDelete)
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY)
    if (!flags.yes && !interactive) {
      throw usageError('bella secrets delete needs --yes when it cannot ask (no terminal)', {code: 'needs_yes', suggestions: ['bella secrets delete NAME... --yes']})
    }
    const ask = lineAsker(process.stdin, process.stderr)
    const plan = await secretsDelete({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      names: argv as string[],
      provider: flags.provider,
      confirm: async (p) => flags.yes || confirm(`Delete ${describeNames(p.targets.map((t) => t.name))} from ${slug(p.project)}/${slug(p.environment)}?`, ask),
    })
    if (this.jsonEnabled()) return plan
    for (const t of plan.targets) this.out.result(`${quoteName(t.name)}  deleted  (${t.providers.map((v) => slug(v)).join(', ')})`)
    return plan
  }
}
