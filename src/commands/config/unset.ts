import {Args} from '@oclif/core'
import {BellaCommand, CONFIG_KEY_NAMES, unsetConfig, userConfigDir} from '@bella/core'

export default class ConfigUnset extends BellaCommand {
  static override summary = 'Remove a value from the user config.'
  static override args = {key: Args.string({description: `One of: ${CONFIG_KEY_NAMES.join(', ')}.`, required: true})}

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigUnset)
    this.out.info(unsetConfig(userConfigDir(), args.key) ? `Unset ${args.key}` : `${args.key} was not set; nothing to remove`)
  }
}
