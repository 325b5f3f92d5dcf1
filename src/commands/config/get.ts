import {Args} from '@oclif/core'
import {BellaCommand, CONFIG_KEY_NAMES, generalError, getConfig, userConfigDir} from '@bella/core'

export default class ConfigGet extends BellaCommand {
  static override summary = 'Print one value of the user config (~/.config/bella/config.json).'
  static override examples = ['<%= config.bin %> config get project']
  static override args = {key: Args.string({description: `One of: ${CONFIG_KEY_NAMES.join(', ')}.`, required: true})}

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigGet)
    const value = getConfig(userConfigDir(), args.key)
    if (value === undefined) throw generalError(`${args.key} is not set in the user config`, {code: 'config_not_set', suggestions: [`bella config set ${args.key} <value>`]})
    this.out.result(value)
  }
}
