import {readFile} from 'node:fs/promises'
import {Args, Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, quoteName, quoteText, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {providerFlag} from '../../flags.js'
import {slug} from '../../target.js'
import {parseDotenvText, secretsSet, type SetOutcome} from '../../write-service.js'

const MARK = {created: '+ add   ', updated: '~ change', unchanged: '= same  '} as const

export default class SecretsImport extends BellaCommand {
  static override summary = 'Import a .env file: shows which names would be added or changed, then writes them.'
  static override examples = ['<%= config.bin %> secrets import .env.local --dry-run', '<%= config.bin %> secrets import .env --provider vault']
  static override enableJsonFlag = true
  static override args = {file: Args.string({description: 'The .env file.', required: true})}
  static override flags = {...targetFlags, ...providerFlag, 'dry-run': Flags.boolean({description: 'Show the changes only.', default: false}), ...connectionFlags}

  async run(): Promise<SetOutcome & {dryRun: boolean}> {
    const {args, flags} = await this.parse(SecretsImport)
    let text: string
    try {
      text = await readFile(args.file, 'utf8')
    } catch (error) {
      throw usageError(`Could not read ${quoteText(args.file, 200)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {code: 'import_file_unreadable'})
    }
    const values = await parseDotenvText(text, args.file)
    if (values.size === 0) throw usageError(`${quoteText(args.file, 200)} holds no NAME=value lines`, {code: 'import_empty'})
    const session = sessionInputFrom(flags, (m) => this.out.info(m))
    const plan = await secretsSet({session, values, provider: flags.provider, dryRun: true})
    if (!this.jsonEnabled()) for (const r of plan.results) this.out.result(`${MARK[r.action]}  ${quoteName(r.name)}`)
    if (flags['dry-run'] || plan.results.every((r) => r.action === 'unchanged')) {
      if (!this.jsonEnabled()) this.out.info(flags['dry-run'] ? 'Dry run: nothing was written.' : 'Nothing to change.')
      return {...plan, dryRun: flags['dry-run']}
    }
    const done = await secretsSet({session, values, provider: plan.provider})
    if (!this.jsonEnabled()) this.out.info(`Imported ${done.results.filter((r) => r.action !== 'unchanged').length} secrets into ${slug(done.project)}/${slug(done.environment)} (${slug(done.provider)}).`)
    return {...done, dryRun: false}
  }
}
