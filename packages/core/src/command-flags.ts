/**
 * Flags shared by every command that talks to the API. They deliberately do not use oclif's
 * `env:` option: bella resolves environment variables itself so that each value remembers
 * whether it came from a flag or a variable (whoami shows it).
 */
import {Flags} from '@oclif/core'
import {homedir} from 'node:os'
import {configDirFrom} from './config/paths.js'
import type {SessionInput} from './session.js'

export const targetFlags = {
  project: Flags.string({char: 'p', description: 'Project slug or id. [env: BELLA_BAXTER_PROJECT]', helpGroup: 'TARGET'}),
  environment: Flags.string({char: 'e', description: 'Environment slug. [env: BELLA_BAXTER_ENV]', helpGroup: 'TARGET'}),
}

export const connectionFlags = {
  'api-url': Flags.string({description: 'Bella Baxter API URL. [env: BELLA_BAXTER_URL, default: https://api.bella-baxter.io]', helpGroup: 'CONNECTION'}),
  app: Flags.string({description: 'Your application name, sent as X-App-Client. [env: BELLA_BAXTER_APP_CLIENT]', helpGroup: 'CONNECTION'}),
  insecure: Flags.boolean({description: 'Allow plain http:// to a host that is not this machine.', helpGroup: 'CONNECTION', default: false}),
}

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
