import {Flags} from '@oclif/core'
import {BellaCommand, childNeedsOwnProcessGroup, commandLine, connectionFlags, escapeControls, parseCommandFlags, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {execCommand, listRoles, type RolesListing} from '../exec-service.js'
import type {ExecExplanation} from '../explain-exec.js'

export default class Exec extends BellaCommand {
  static override summary = 'Run a command with Bella credentials, or with ephemeral database credentials (--provider).'
  static override description = [
    "Without --provider, the command gets BELLA_BAXTER_URL and BELLA_BAXTER_API_KEY (for apps that use a Bella SDK themselves) and none of bella's other BELLA_* variables. With a bearer token instead of an API key it gets BELLA_BAXTER_ACCESS_TOKEN, plus BELLA_BAXTER_PROJECT and BELLA_BAXTER_ENV when they are configured.",
    'With --provider, bella asks the provider for a new database user just before starting the command, which then gets DB_USERNAME, DB_PASSWORD, DATABASE_URL (when the server gives a connection URL) and DB_CREDENTIALS_EXPIRES_AT (ISO-8601, UTC), and no BELLA_* variables unless --pass-credentials. The credentials are never written to disk or printed; the user expires with its lease (--ttl), so choose a TTL longer than the command needs.',
    "With --explain, bella prints on stderr what the command would get (each variable's name and where it comes from, inherited variables replaced or removed, the environment's size) and does not start it. With --provider it does not generate credentials either, since that creates a database user: it lists the provider's roles, which checks the provider and --role. Add --json for the same as data on stdout.",
    "The command is started directly (no shell), as with bella run: its exit status becomes bella's (128+N when it dies from signal N), signals are forwarded to it, and bella's own messages go to stderr. Use sh -c '…' to expand $DATABASE_URL inside the command line.",
  ].join('\n\n')

  static override usage = [
    'exec [-p <project>] [-e <environment>] -- CMD [ARGS...]',
    'exec [-p <project>] [-e <environment>] --provider SLUG [--role R] [--ttl SECONDS] -- CMD [ARGS...]',
    'exec [-p <project>] [-e <environment>] --provider SLUG --list-roles [--json]',
    'exec [-p <project>] [-e <environment>] [--provider SLUG [--role R]] --explain [--json] -- CMD [ARGS...]',
  ]

  static override examples = [
    '<%= config.bin %> exec -- node app-with-bella-sdk.js',
    `<%= config.bin %> exec --provider pg --role migrate --ttl 600 -- sh -c 'psql "$DATABASE_URL" -f migrations/001.sql'`,
    '<%= config.bin %> exec --provider pg -- npx prisma migrate deploy',
    '<%= config.bin %> exec --provider pg --list-roles',
  ]

  static override enableJsonFlag = true
  // Everything after `--` is the command and its arguments, untouched.
  static override strict = false

  static override flags = {
    ...targetFlags,
    ...connectionFlags,
    provider: Flags.string({description: 'Database provider to get ephemeral credentials from.', helpValue: 'SLUG', helpGroup: 'DATABASE'}),
    role: Flags.string({description: "Role to get credentials for (default: the provider's default role).", dependsOn: ['provider'], helpGroup: 'DATABASE'}),
    ttl: Flags.integer({
      description: "Lease length in seconds; the user cannot log in after it (default: the role's default).",
      min: 1,
      dependsOn: ['provider'],
      helpValue: 'SECONDS',
      helpGroup: 'DATABASE',
    }),
    'list-roles': Flags.boolean({
      description: "Print the provider's roles and exit (no command).",
      dependsOn: ['provider'],
      exclusive: ['role', 'ttl'],
      helpGroup: 'DATABASE',
    }),
    explain: Flags.boolean({
      description: 'Print which variables the command would get and where they come from (names only, on stderr); do not start it or generate credentials.',
      default: false,
      exclusive: ['list-roles'],
    }),
    'pass-credentials': Flags.boolean({
      description: 'With --provider: also give the command BELLA_BAXTER_URL and the API key (or token).',
      dependsOn: ['provider'],
    }),
  }

  async run(): Promise<RolesListing | ExecExplanation | void> {
    const {flags, argv} = await parseCommandFlags(this.argv, 'exec', () => this.parse(Exec))
    const [command, ...args] = commandLine(this.argv, argv as string[], 'exec')
    const session = sessionInputFrom(flags, (m) => this.out.info(m))

    if (flags['list-roles']) {
      if (command) throw usageError('--list-roles takes no command', {suggestions: ['drop --list-roles to run the command, or drop the command']})
      const listing = await listRoles({session, provider: flags.provider!})
      if (!this.jsonEnabled()) {
        if (listing.roles.length === 0) this.out.info(`provider ${listing.provider} in ${listing.project}/${listing.environment} has no roles`)
        else this.out.result(listing.roles.join('\n'))
      }
      return listing
    }

    if (this.jsonEnabled() && !flags.explain) {
      throw usageError('--json only applies to --list-roles and --explain', {suggestions: ["leave out --json: the command's own output is what exec prints"]})
    }
    if (!command) {
      throw usageError('bella exec needs a command to run', {
        suggestions: ['put it after --, e.g. bella exec --provider pg -- ./migrate.sh', 'or list the provider\'s roles: bella exec --provider SLUG --list-roles'],
      })
    }

    const verbose = flags.verbose
    const options = {
      session,
      command,
      args,
      ...(flags.provider === undefined
        ? {}
        : {provider: {slug: flags.provider, ...(flags.role === undefined ? {} : {role: flags.role}), ...(flags.ttl === undefined ? {} : {ttlSeconds: flags.ttl})}}),
      passCredentials: flags['pass-credentials'] === true,
      info: (m: string) => verbose && this.out.info(m),
      warn: (m: string) => this.out.warn(m),
    }
    if (flags.explain) {
      // Loaded only with the flag.
      const {explainExec, renderExecExplanation} = await import('../explain-exec.js')
      const result = await explainExec(options)
      if (!this.jsonEnabled()) this.out.info(renderExecExplanation(result, escapeControls(command)).join('\n'))
      return result
    }
    process.exitCode = await execCommand({...options, ownProcessGroup: childNeedsOwnProcessGroup()})
  }
}

