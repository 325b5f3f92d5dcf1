import {Args, Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, targetFlags} from '@bella/core'
import {providerFlag} from '../../flags.js'
import {secretsGet} from '../../secrets-service.js'

export interface SecretMetadata {
  project: string
  environment: string
  provider: string
  key: string
  type: string | null
  description: string | null
  updatedAt: string | null
  version: number | null
}

export default class SecretsGet extends BellaCommand {
  static override summary = "Print one secret's value alone on stdout (so $(bella secrets get KEY) works); --json gives its metadata instead."
  static override examples = ['DB_PASSWORD=$(<%= config.bin %> secrets get DB_PASSWORD)', '<%= config.bin %> secrets get API_KEY --version 2', '<%= config.bin %> secrets get API_KEY --json']
  static override enableJsonFlag = true
  static override args = {key: Args.string({description: 'The secret name.', required: true})}
  static override flags = {
    ...targetFlags,
    ...providerFlag,
    version: Flags.integer({description: 'An earlier version of the value.', min: 1}),
    ...connectionFlags,
  }

  async run(): Promise<SecretMetadata> {
    const {args, flags} = await this.parse(SecretsGet)
    const got = await secretsGet({session: sessionInputFrom(flags, (m) => this.out.info(m)), key: args.key, provider: flags.provider, version: flags.version})
    const {secret} = got
    const metadata = {project: got.project, environment: got.environment, provider: got.provider, key: secret.key, type: secret.type, description: secret.description, updatedAt: secret.updatedAt, version: secret.version}
    if (this.jsonEnabled()) return metadata
    // Exactly the value: no newline added when piped, so every byte round-trips.
    process.stdout.write(process.stdout.isTTY && !secret.value.endsWith('\n') ? `${secret.value}\n` : secret.value)
    return metadata
  }
}
