import {Args, Flags} from '@oclif/core'
import {BellaCommand, CONFIG_KEY_NAMES, setConfig, userConfigDir} from '@bella/core'

export default class ConfigSet extends BellaCommand {
  static override summary = 'Set a value in the user config; it is checked first, and the file is written atomically.'
  static override examples = ['<%= config.bin %> config set api-url http://localhost:5522', '<%= config.bin %> config set project shop']
  static override args = {
    key: Args.string({description: `One of: ${CONFIG_KEY_NAMES.join(', ')}.`, required: true}),
    value: Args.string({description: 'The value.', required: true}),
  }

  static override flags = {insecure: Flags.boolean({description: 'Allow a plain http:// api-url to a host that is not this machine.', default: false})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ConfigSet)
    const stored = setConfig(userConfigDir(), args.key, args.value, {insecure: flags.insecure})
    this.out.info(`Set ${args.key} = ${stored}`)
  }
}
