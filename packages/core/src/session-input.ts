import {homedir} from 'node:os'
import {configDirFrom} from './config/paths.js'
import type {SessionInput} from './session.js'

export interface ConnectionFlagValues {
  'api-url'?: string
  app?: string
  insecure?: boolean
  project?: string
  environment?: string
}

/** The process boundary: the only place flags, process.env and the cwd become a SessionInput. */
export function sessionInputFrom(flags: ConnectionFlagValues, notice: (message: string) => void): SessionInput {
  return {
    flags: {
      apiUrl: flags['api-url'],
      app: flags.app,
      insecure: flags.insecure,
      project: flags.project,
      environment: flags.environment,
    },
    env: process.env,
    cwd: process.cwd(),
    configDir: configDirFrom(process.env, homedir()),
    notice,
  }
}

/** The user config folder (`$XDG_CONFIG_HOME/bella` or `~/.config/bella`), from process.env. */
export const userConfigDir = (): string => configDirFrom(process.env, homedir())
