import {Args} from '@oclif/core'
import {BellaCommand, connectionFlags, errorEnvelope, exitCodeOf, escapeControls, quoteText, sessionInputFrom, targetFlags, type BellaError} from '@bella/core'
import {rotateKey, type RotateResult} from '../../api-keys-service.js'
import type {ApiKeyResponse, CreatedApiKeyResponse} from '../../types.js'

interface RotateJson {
  old: ApiKeyResponse
  created: CreatedApiKeyResponse
  revoked: boolean
  error?: ReturnType<typeof errorEnvelope>['error']
}

export default class ApiKeysRotate extends BellaCommand {
  static override summary = 'Replace an API key: create a new one like it, print it, then revoke the old one.'
  static override description = `The replacement gets the same name, description and role, and the old key's lifetime (expiresAt - createdAt) counted from now. It is created first and printed on stdout at once; the old key is revoked only then, so a failure never leaves you without a working key. If the revoke fails, bella says so and exits with that error's code (3 refused, 4 unreachable, 1 otherwise); the new key has already been printed.`

  static override examples = ['NEW_KEY=$(<%= config.bin %> api-keys rotate 1f3c9a2b)', '<%= config.bin %> api-keys rotate 1f3c9a2b --json']

  static override enableJsonFlag = true
  static override args = {id: Args.string({description: 'The id of the key to replace (full, or its first 4+ characters).', required: true})}
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<RotateJson> {
    const {args, flags} = await this.parse(ApiKeysRotate)
    const json = this.jsonEnabled()
    const result: RotateResult = await rotateKey({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      ref: args.id,
      onCreated: (created, old) => {
        if (json) return
        // Printed before the revoke is attempted: whatever happens next, the new key is in hand.
        this.out.result(created.apiKey)
        this.out.info(escapeControls(`✓ Created the replacement for ${quoteText(old.clientName)}: id ${created.id}, prefix ${created.keyPrefix}, expires ${created.expiresAt}`))
        this.out.info('Copy it now: the full key is shown only this once.')
      },
    })
    const {old, created, revokeError} = result
    if (revokeError) return this.revokeFailed(result, revokeError, json)
    if (!json) {
      this.out.info(escapeControls(`✓ Revoked the old key ${old.keyPrefix}… (id ${old.id}).`))
      if (result.wasSessionKey) this.out.warn('that was the key this command used; switch to the new one (BELLA_BAXTER_API_KEY or bella login --api-key).')
    }
    return {old, created, revoked: true}
  }

  private revokeFailed(result: RotateResult, error: BellaError, json: boolean): RotateJson {
    const message = `The new key was created${json ? '' : ' and printed above'}, but revoking the old key ${result.old.id} failed: ${error.message}`
    process.exitCode = exitCodeOf(error)
    if (json) return {old: result.old, created: result.created, revoked: false, error: {...errorEnvelope(error).error, message}}
    this.out.info(`Error: ${message}`)
    this.out.info(`  Try: revoke it yourself once the problem is fixed: bella api-keys revoke ${result.old.id}`)
    for (const s of error.suggestions) this.out.info(`  Try: ${s}`)
    return {old: result.old, created: result.created, revoked: false}
  }
}
