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


/** The offline snapshot (run, agent): parsed by fallbackOptionsFrom. No oclif default: the default lives in core. */
export const fallbackFlags = {
  'max-stale': Flags.string({
    description:
      'When the API is unreachable or failing, use the encrypted offline snapshot of the last successful fetch if younger than this (30m, 24h, 7d, or seconds; 0 turns snapshots off). Also BELLA_MAX_STALE. [default: 24h]',
    helpValue: 'DURATION',
    helpGroup: 'OFFLINE',
  }),
  'fallback-only': Flags.boolean({
    description: 'Use the offline snapshot without asking the API (air-gapped starts, tests); fails if there is none younger than --max-stale.',
    default: false,
    helpGroup: 'OFFLINE',
  }),
}
