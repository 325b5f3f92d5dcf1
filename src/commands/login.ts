import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, resolveSettings} from '@bella/core'
import {readLoginKey} from '../login-key-input.js'
import {login} from '../services/login.js'

export default class Login extends BellaCommand {
  static override summary = 'Store an API key for bella to use, after checking it with the API.'
  static override description = `At a terminal, without --api-key, bella asks for the key (the input is hidden).
The key is verified with GET /api/v1/keys/me first; a key the API rejects is not stored.
It is stored for the API URL it was verified against (one key per URL), and later commands
without --api-url or BELLA_BAXTER_URL use that URL. It goes to the OS keychain when one is
usable, otherwise to a file only you can read (~/.config/bella/credentials.json, mode 0600).
BELLA_BAXTER_API_KEY, when set, takes precedence.`

  static override examples = [
    '<%= config.bin %> login',
    '<%= config.bin %> login --api-url http://localhost:5522',
    'printf %s "$KEY" | <%= config.bin %> login --api-key -',
  ]

  static override flags = {
    'api-key': Flags.string({description: 'The bax-… API key, or - to read it from standard input. Left out at a terminal: asked for, hidden.'}),
    ...connectionFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Login)
    const input = sessionInputFrom(flags, (m) => this.out.info(m))
    const settings = resolveSettings(input)
    const {rawKey, origin} = await readLoginKey(flags['api-key'])
    if (origin === '--api-key' && process.stderr.isTTY) {
      this.out.warn(
        'a key given with --api-key can be read by other users of this machine (ps, /proc/<pid>/cmdline) and stays in your shell history; ' +
          'next time run `bella login` (it asks, hidden) or pipe it: printf %s "$KEY" | bella login --api-key -',
      )
    }
    const result = await login({rawKey, keyOrigin: origin, settings, env: input.env, configDir: input.configDir, notice: (m) => this.out.info(m)})
    const scope = [result.context.projectSlug, result.context.environmentSlug].filter(Boolean).join(' / ')
    this.out.info(`Logged in to ${result.apiUrl} with key ${result.keyPrefix}…${scope ? ` (${scope})` : ''}; stored in ${result.storedIn}.`)
    if (result.shadowedBy) this.out.warn(`${result.shadowedBy} is set and takes precedence over the stored key.`)
  }
}
