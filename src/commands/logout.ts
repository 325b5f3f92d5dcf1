import {BellaCommand, connectionFlags, resolveSettings, sessionInputFrom} from '@bella/core'
import {logout} from '../services/login.js'

export default class Logout extends BellaCommand {
  static override summary = 'Remove the API key `bella login` stored for the API URL in use (and its cached key context and offline snapshots).'
  static override flags = {...connectionFlags}

  async run(): Promise<void> {
    const {flags} = await this.parse(Logout)
    const input = sessionInputFrom(flags, (m) => this.out.info(m))
    const apiUrl = resolveSettings(input).apiUrl.value
    const result = await logout({apiUrl, env: input.env, configDir: input.configDir, cacheDir: input.cacheDir, notice: (m) => this.out.info(m)})
    this.out.info(result.removed ? `Removed the stored API key for ${apiUrl} from ${result.location}.` : `No API key was stored for ${apiUrl}.`)
    if (result.snapshots > 0) this.out.info(`Deleted ${result.snapshots} offline snapshot${result.snapshots === 1 ? '' : 's'} of its secrets.`)
    if (result.stillSet) this.out.warn(`${result.stillSet} is still set in this environment; bella will keep using it.`)
  }
}
