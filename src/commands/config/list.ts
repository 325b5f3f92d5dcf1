import {BellaCommand, listConfig, userConfigDir, type ConfigEntry} from '@bella/core'

export default class ConfigList extends BellaCommand {
  static override summary = 'List the values set in the user config (api-url, project, environment, app).'
  static override enableJsonFlag = true

  async run(): Promise<Record<string, string>> {
    await this.parse(ConfigList)
    const entries: ConfigEntry[] = listConfig(userConfigDir())
    if (!this.jsonEnabled()) for (const {key, value} of entries) this.out.result(`${key} = ${value}`)
    return Object.fromEntries(entries.map(({key, value}) => [key, value]))
  }
}
