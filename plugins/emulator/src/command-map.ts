// The plugin's commands by oclif id, for hosts that bundle it (oclif's explicit command strategy).
import type {Command} from '@oclif/core'
import Emulator from './commands/emulator/index.js'
import EmulatorSet from './commands/emulator/set.js'

export const commands: Record<string, Command.Class> = {emulator: Emulator, 'emulator:set': EmulatorSet}
