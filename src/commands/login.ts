import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, resolveSettings, usageError} from '@bella/core'
import {login} from '../services/login.js'

export default class Login extends BellaCommand {
  static override summary = 'Store an API key for bella to use, after checking it with the API.'
  static override description = `The key is verified with GET /api/v1/keys/me first; a key the API rejects is not stored.
It goes to the OS keychain when one is usable, otherwise to a file only you can read
(~/.config/bella/credentials.json, mode 0600). BELLA_BAXTER_API_KEY, when set, takes precedence.`

  static override examples = [
    '<%= config.bin %> login --api-key bax-0123…-abcd…',
    'printf %s "$KEY" | <%= config.bin %> login --api-key -',
  ]

  static override flags = {
    'api-key': Flags.string({description: 'The bax-… API key, or - to read it from standard input.', required: true}),
    ...connectionFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Login)
    const fromStdin = flags['api-key'] === '-'
    const rawKey = fromStdin ? await readStdin() : flags['api-key']
    if (rawKey.trim() === '') throw usageError('No API key was given on standard input', {suggestions: ['pipe the key in: printf %s "$KEY" | bella login --api-key -']})
    const input = sessionInputFrom(flags, (m) => this.out.info(m))
    const result = await login({
      rawKey,
      keyOrigin: fromStdin ? 'standard input' : '--api-key',
      settings: resolveSettings(input),
      env: input.env,
      configDir: input.configDir,
      notice: (m) => this.out.info(m),
    })
    const scope = [result.context.projectSlug, result.context.environmentSlug].filter(Boolean).join(' / ')
    this.out.info(`Logged in with key ${result.keyPrefix}…${scope ? ` (${scope})` : ''}; stored in ${result.storedIn}.`)
    if (result.shadowedBy) this.out.warn(`${result.shadowedBy} is set and takes precedence over the stored key.`)
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw usageError('--api-key - reads the key from standard input, but standard input is a terminal', {suggestions: ['pipe the key in: printf %s "$KEY" | bella login --api-key -']})
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}
