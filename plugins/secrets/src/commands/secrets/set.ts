import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, quoteName, sessionInputFrom, targetFlags} from '@bella/core'
import {readAllStdin, readAssignments} from '../../assignments.js'
import {providerFlag} from '../../flags.js'
import {describeNames, secretsSet, type SetOutcome} from '../../write-service.js'
import {slug} from '../../target.js'

export default class SecretsSet extends BellaCommand {
  static override summary = 'Create or update secrets: NAME=VALUE, NAME=- (value from stdin), or --from-file NAME=PATH. Prints names and new versions, never values.'
  static override description = `With several providers in the environment, --provider says which one to write to. A value typed on the command line can end up in shell history and \`ps\`: prefer NAME=- or --from-file. With NAME=-, one trailing newline of stdin is dropped; --from-file keeps the file's bytes exactly.`
  static override examples = [
    "printf '%s' \"$PASSWORD\" | <%= config.bin %> secrets set DB_PASSWORD=-",
    '<%= config.bin %> secrets set --from-file TLS_CERT=./cert.pem',
    '<%= config.bin %> secrets set LOG_LEVEL=info FEATURE_X=on --provider vault',
  ]
  static override enableJsonFlag = true
  static override strict = false
  static override flags = {
    ...targetFlags,
    ...providerFlag,
    'from-file': Flags.string({description: 'NAME=PATH: the value is the file content (repeatable).', multiple: true, default: []}),
    ...connectionFlags,
  }

  async run(): Promise<SetOutcome> {
    const {argv, flags} = await this.parse(SecretsSet)
    const {values, inline} = await readAssignments({args: argv as string[], fromFiles: flags['from-file'], readStdin: () => readAllStdin(), cwd: process.cwd()})
    if (inline.length > 0 && process.stderr.isTTY) {
      this.out.warn(`the value of ${describeNames(inline)} was typed on the command line and may be kept in shell history or seen in \`ps\`; prefer NAME=- or --from-file`)
    }
    const outcome = await secretsSet({session: sessionInputFrom(flags, (m) => this.out.info(m)), values, provider: flags.provider})
    if (this.jsonEnabled()) return outcome
    for (const r of outcome.results) this.out.result(`${quoteName(r.name)}  ${r.action}  version ${r.version ?? '?'}  (${slug(r.provider)})`)
    return outcome
  }
}
