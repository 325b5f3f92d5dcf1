import {Flags} from '@oclif/core'
import {BellaCommand, usageError} from '@bella/core'
import {hasPassword, PASSWORD_ON_ARGV_WARNING, readPostgresUrlFile} from '../../postgres-url.js'
import {serveInForeground} from '../../serve.js'

export default class Emulator extends BellaCommand {
  static override summary = 'Run a local Bella Baxter-compatible API server on 127.0.0.1.'
  static override description = [
    'Serves the API endpoints bella uses (HMAC-signed requests, E2EE, keys/me, secrets, version and hash) from an in-memory world seeded from a YAML file, or from a built-in demo project when no seed is given.',
    'stdout gets exactly two lines, BELLA_BAXTER_URL=… and BELLA_BAXTER_API_KEY=…, so the output can be sourced by a shell; the banner and one line per request (method, path, status) go to stderr. Secrets can be changed while it runs through the signed /__emulator/ admin routes (see the plugin README).',
  ].join('\n\n')

  static override examples = [
    '<%= config.bin %> emulator',
    '<%= config.bin %> emulator --port 0 --seed ./seed.yaml > emulator.env &\nset -a; . ./emulator.env; set +a\n<%= config.bin %> run -p demo -e dev -- env',
  ]

  static override flags = {
    port: Flags.integer({description: 'Port on 127.0.0.1 to listen on (0 picks a free one).', default: 5522, min: 0, max: 65535}),
    seed: Flags.string({description: 'YAML seed file of projects, environments, providers, secrets and API keys.'}),
    'postgres-url': Flags.string({
      description: 'PostgreSQL admin connection on this machine (postgres://USER:PASSWORD@127.0.0.1:5432/DB): database providers then issue real, expiring login roles.',
      env: 'BELLA_EMULATOR_POSTGRES_URL',
      helpValue: 'URL',
    }),
    'postgres-url-file': Flags.string({
      description: 'Read the PostgreSQL admin URL from this file (its first line) instead: unlike --postgres-url, its password is not visible in `ps`.',
      helpValue: 'PATH',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Emulator)
    const postgresUrl = this.postgresUrl(flags['postgres-url'], flags['postgres-url-file'])
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await serveInForeground({
        port: flags.port,
        ...(flags.seed === undefined ? {} : {seedFile: flags.seed}),
        ...(postgresUrl === undefined ? {} : {postgresUrl}),
        stdout: process.stdout,
        stderr: process.stderr,
        signal: controller.signal,
      })
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }

  /** --postgres-url-file, else --postgres-url / BELLA_EMULATOR_POSTGRES_URL; warns about a password on argv. */
  private postgresUrl(url: string | undefined, file: string | undefined): string | undefined {
    const onArgv = this.argv.some((arg) => arg === '--postgres-url' || arg.startsWith('--postgres-url='))
    if (file !== undefined) {
      if (onArgv) {
        throw usageError('--postgres-url and --postgres-url-file cannot both be given', {
          code: 'postgres_url_twice',
          suggestions: ['keep --postgres-url-file: its password stays out of `ps`'],
        })
      }
      return readPostgresUrlFile(file)
    }
    if (url !== undefined && onArgv && hasPassword(url)) this.out.warn(PASSWORD_ON_ARGV_WARNING)
    return url
  }
}
