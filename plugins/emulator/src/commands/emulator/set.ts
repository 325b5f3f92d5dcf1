import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, targetFlags} from '@bella/core'
import {setEmulatorSecrets} from '../../set-secrets.js'

export default class EmulatorSet extends BellaCommand {
  static override summary = 'Change secrets in a running emulator (to demonstrate and test --watch and the agent).'
  static override usage = 'emulator set KEY=VALUE... [--unset KEY]... [-p <project>] [-e <environment>] [--provider <slug>]'
  static override examples = [
    '<%= config.bin %> emulator set FEATURE_NEW_CHECKOUT=false',
    '<%= config.bin %> emulator set --unset LOG_LEVEL -p demo -e dev',
  ]

  static override strict = false
  static override flags = {
    ...targetFlags,
    ...connectionFlags,
    unset: Flags.string({description: 'Remove this secret (repeatable).', multiple: true, default: []}),
    provider: Flags.string({description: 'Provider slug to change (default: the one serving the key).'}),
  }

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(EmulatorSet)
    const result = await setEmulatorSecrets({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      assignments: argv as string[],
      unset: flags.unset,
      provider: flags.provider,
    })
    this.out.info(
      result.changed
        ? `${result.project}/${result.environment} is now at version ${result.version}.`
        : `${result.project}/${result.environment} already had these values (version ${result.version}).`,
    )
  }
}
