import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, loadRegistries, quoteName, sessionInputFrom, targetFlags} from '@bella/core'
import {secretsExport, type ExportOutcome} from '../../export-service.js'

export default class SecretsExport extends BellaCommand {
  static override summary = "Print or write the environment's secrets as dotenv, json, yaml or shell (any installed sink strategy)."
  static override description = `Every format is a sink strategy, so a sink plugin adds a format. --output writes the file atomically with mode 0600. --format shell prints export NAME='value' lines that are safe to eval; shell and dotenv refuse names they cannot hold, naming them.`
  static override examples = ['<%= config.bin %> secrets export --format dotenv --output .env', 'eval "$(<%= config.bin %> secrets export --format shell)"', '<%= config.bin %> secrets export --format json > secrets.json']
  static override enableJsonFlag = true
  static override flags = {
    ...targetFlags,
    format: Flags.string({char: 'f', description: 'dotenv, json, yaml, shell, or a plugin-provided sink.', default: 'dotenv'}),
    output: Flags.string({char: 'o', description: 'Write to this file (atomically, 0600) instead of stdout.'}),
    ...connectionFlags,
  }

  async run(): Promise<Omit<ExportOutcome, 'text'>> {
    const {flags} = await this.parse(SecretsExport)
    const registries = await loadRegistries(this.config, {warn: (m) => this.out.warn(m)})
    const sink = registries.sinks.require(flags.format, '--format')
    const outcome = await secretsExport({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      sink,
      output: flags.output === undefined ? undefined : {path: flags.output, baseDir: process.cwd()},
    })
    if (outcome.sealed.length > 0) this.out.warn(`left out ${outcome.sealed.map((n) => quoteName(n)).join(', ')}: the server sent them still sealed at rest`)
    const {text, ...summary} = outcome
    if (this.jsonEnabled()) return summary
    if (text !== undefined) process.stdout.write(text)
    else this.out.info(`${outcome.written === 'unchanged' ? 'Unchanged' : 'Wrote'} ${outcome.path} (${outcome.names.length} secrets, ${flags.format})`)
    return summary
  }
}
