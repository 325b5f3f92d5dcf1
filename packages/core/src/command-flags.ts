/**
 * Flags shared by every command that talks to the API. They deliberately do not use oclif's
 * `env:` option: bella resolves environment variables itself so that each value remembers
 * whether it came from a flag or a variable (whoami shows it).
 */
import {Flags} from '@oclif/core'

export const targetFlags = {
  project: Flags.string({char: 'p', description: 'Project slug or id. [env: BELLA_BAXTER_PROJECT]', helpGroup: 'TARGET'}),
  environment: Flags.string({char: 'e', description: 'Environment slug. [env: BELLA_BAXTER_ENV]', helpGroup: 'TARGET'}),
}

export const connectionFlags = {
  'api-url': Flags.string({description: 'Bella Baxter API URL. [env: BELLA_BAXTER_URL, default: https://api.bella-baxter.io]', helpGroup: 'CONNECTION'}),
  app: Flags.string({description: 'Your application name, sent as X-App-Client. [env: BELLA_BAXTER_APP_CLIENT]', helpGroup: 'CONNECTION'}),
  insecure: Flags.boolean({description: 'Allow plain http:// to a host that is not this machine.', helpGroup: 'CONNECTION', default: false}),
  timeout: Flags.string({
    description: 'Seconds to wait for the API, retries included. [env: BELLA_TIMEOUT, default: 30]',
    helpValue: 'S',
    helpGroup: 'CONNECTION',
  }),
}

