import {BellaCommand, connectionFlags, sessionInputFrom, targetFlags} from '@bella/core'
import {listKeys} from '../../api-keys-service.js'
import {renderKeyTable} from '../../key-table.js'
import type {ApiKeyResponse} from '../../types.js'

export default class ApiKeysList extends BellaCommand {
  static override summary = "List an environment's API keys (never their secret part)."
  static override description = `A table of id (shortened; revoke and rotate accept it), name, prefix, created, last used, expiry and status, fitted to the terminal. --json prints every field with full ids.`

  static override examples = ['<%= config.bin %> api-keys list -p shop -e production', '<%= config.bin %> api-keys list --json']

  static override enableJsonFlag = true
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<ApiKeyResponse[]> {
    const {flags} = await this.parse(ApiKeysList)
    const {keys, target} = await listKeys({session: sessionInputFrom(flags, (m) => this.out.info(m))})
    if (this.jsonEnabled()) return keys
    if (keys.length === 0) {
      this.out.info(`No API keys in ${target.project}/${target.environment}.`)
      return keys
    }
    this.out.result(renderKeyTable(keys, {width: process.stdout.isTTY ? process.stdout.columns : undefined}))
    return keys
  }
}
