import {Args} from '@oclif/core'
import {BellaCommand, connectionFlags, escapeControls, quoteText, sessionInputFrom, targetFlags} from '@bella/core'
import {revokeKey} from '../../api-keys-service.js'

export default class ApiKeysRevoke extends BellaCommand {
  static override summary = 'Revoke an API key at once: requests signed with it are refused from now on.'
  static override description = `ID is the key's id as \`bella api-keys list\` shows it: in full, or at least its first 4 characters (a short id is looked up in the target environment).`

  static override examples = ['<%= config.bin %> api-keys revoke 1f3c9a2b', '<%= config.bin %> api-keys revoke 1f3c9a2b-7d4e-4f10-9c3a-2b6d8e0f1a2c --json']

  static override enableJsonFlag = true
  static override args = {id: Args.string({description: 'The id of the key to revoke.', required: true})}
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<{id: string; name: string; keyPrefix: string; revoked: true; alreadyRevoked: boolean}> {
    const {args, flags} = await this.parse(ApiKeysRevoke)
    const {key, alreadyRevoked, wasSessionKey} = await revokeKey({session: sessionInputFrom(flags, (m) => this.out.info(m)), ref: args.id})
    const result = {id: key.id, name: key.clientName, keyPrefix: key.keyPrefix, revoked: true as const, alreadyRevoked}
    if (this.jsonEnabled()) return result
    if (alreadyRevoked) {
      this.out.info(escapeControls(`API key ${quoteText(key.clientName)} (${key.keyPrefix}…, id ${key.id}) was already revoked; nothing to do.`))
      return result
    }
    this.out.info(escapeControls(`✓ Revoked API key ${quoteText(key.clientName)} (${key.keyPrefix}…, id ${key.id}); requests signed with it are refused from now on.`))
    if (wasSessionKey) this.out.warn('that was the key this command used; configure another one (BELLA_BAXTER_API_KEY or bella login --api-key).')
    return result
  }
}
