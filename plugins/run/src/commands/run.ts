import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {runWithSecrets} from '../run-service.js'

export default class Run extends BellaCommand {
  static override summary = "Run a command with the environment's secrets as environment variables."
  static override description = `The command is started directly (no shell) with the secrets overlaid on bella's own
environment. Its exit status becomes bella's (128+N when it dies from signal N), and signals sent
to bella are forwarded to it. bella's own messages go to stderr only.`

  static override usage = 'run [-p <project>] [-e <environment>] [--app <name>] -- CMD [ARGS...]'
  static override examples = [
    '<%= config.bin %> run -- node server.js',
    '<%= config.bin %> run -p shop -e production -- ./migrate.sh --dry-run',
  ]

  // Everything after `--` is the command and its arguments, untouched.
  static override strict = false

  static override flags = {
    ...targetFlags,
    ...connectionFlags,
    'pass-credentials': Flags.boolean({
      description: "Also pass bella's own BELLA_BAXTER_API_KEY / BELLA_BAXTER_ACCESS_TOKEN to the command.",
      default: false,
    }),
    'allow-reserved-env': Flags.boolean({
      description: 'Inject secrets named like loader variables (PATH, NODE_OPTIONS, LD_*, …) instead of withholding them.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Run)
    const [command, ...args] = argv as string[]
    if (!command) {
      throw usageError('bella run needs a command to run', {suggestions: ['put it after --, e.g. bella run -- node server.js']})
    }
    const verbose = flags.verbose
    process.exitCode = await runWithSecrets({
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      command,
      args,
      passCredentials: flags['pass-credentials'],
      allowReserved: flags['allow-reserved-env'],
      info: (m) => verbose && this.out.info(m),
      warn: (m) => this.out.warn(m),
    })
  }
}
