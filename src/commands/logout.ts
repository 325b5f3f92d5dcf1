import {homedir} from 'node:os'
import {BellaCommand, configDirFrom} from '@bella/core'
import {logout} from '../services/login.js'

export default class Logout extends BellaCommand {
  static override summary = 'Remove the API key stored by `bella login`.'

  async run(): Promise<void> {
    await this.parse(Logout)
    const result = await logout({env: process.env, configDir: configDirFrom(process.env, homedir()), notice: (m) => this.out.info(m)})
    this.out.info(result.removed ? `Removed the stored API key from ${result.location}.` : 'No API key was stored; nothing to remove.')
    if (result.stillSet) this.out.warn(`${result.stillSet} is still set in this environment; bella will keep using it.`)
  }
}
