// The plugin's commands by oclif id, for hosts that bundle it (oclif's explicit command strategy).
import type {Command} from '@oclif/core'
import Exec from './commands/exec.js'

export const commands: Record<string, Command.Class> = {exec: Exec}
