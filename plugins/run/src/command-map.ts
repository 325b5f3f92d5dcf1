// The plugin's commands by oclif id, for hosts that bundle it (oclif's explicit command strategy).
import type {Command} from '@oclif/core'
import Run from './commands/run.js'

export const commands: Record<string, Command.Class> = {run: Run}
