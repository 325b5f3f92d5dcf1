import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, escapeControls, quoteText, sessionInputFrom, targetFlags} from '@bella/core'
import {createKey, MAX_EXPIRES_IN_DAYS, parseCreateRequest} from '../../api-keys-service.js'
import type {CreatedApiKeyResponse} from '../../types.js'

export default class ApiKeysCreate extends BellaCommand {
  static override summary = 'Create an API key for an environment; the key is printed once, on stdout.'
  static override description = `The new bax-… key alone goes to stdout (KEY=$(bella api-keys create …) works) and is never shown again; the rest goes to stderr. Needs a key allowed to manage the environment.`

  static override examples = [
    '<%= config.bin %> api-keys create -p shop -e production --name checkout-service --expires-in-days 90',
    'KEY=$(<%= config.bin %> api-keys create -p shop -e production --name ci-deploy --description "GitHub Actions deploy")',
  ]

  static override enableJsonFlag = true

  static override flags = {
    ...targetFlags,
    name: Flags.string({char: 'n', description: 'Name of the key (who or what uses it).', required: true}),
    description: Flags.string({char: 'd', description: 'A longer description.'}),
    'expires-in-days': Flags.integer({description: `Days until the key expires (1-${MAX_EXPIRES_IN_DAYS}). [default: the server's]`}),
    role: Flags.string({description: "The key's role (default: the server's, usually CONSUMER)."}),
    ...connectionFlags,
  }

  async run(): Promise<CreatedApiKeyResponse> {
    const {flags} = await this.parse(ApiKeysCreate)
    const request = parseCreateRequest({
      name: flags.name,
      description: flags.description,
      expiresInDays: flags['expires-in-days'],
      role: flags.role,
    })
    const {created, target} = await createKey({session: sessionInputFrom(flags, (m) => this.out.info(m)), request})
    if (this.jsonEnabled()) return created
    this.out.result(created.apiKey)
    this.out.info(escapeControls(`✓ Created API key ${quoteText(request.clientName)} for ${target.project}/${target.environment} (id ${created.id}, prefix ${created.keyPrefix}, expires ${created.expiresAt})`))
    this.out.info('Copy it now: the full key is shown only this once and cannot be retrieved later.')
    return created
  }
}
