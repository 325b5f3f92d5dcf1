/**
 * `bella exec`: start a command with credentials rather than secrets (contract §2.3).
 *
 *  - Without a provider: the command gets bella's API URL and credentials (for apps that use a
 *    Bella SDK themselves); no API call is made.
 *  - With a provider: ephemeral database credentials are generated just before the command
 *    starts and handed over as DB_USERNAME, DB_PASSWORD, DATABASE_URL, DB_CREDENTIALS_EXPIRES_AT.
 *    They exist only in bella's memory and the command's environment: never written to disk,
 *    printed, or put into a message.
 *
 * Either way the command runs under core's supervisor, exactly as with `bella run`: exit status
 * passthrough (128+N for a signal), forwarded signals, PID 1 handling, 126/127.
 */
import {
  createRedactor,
  exitOnTerminatingSignals,
  openSession,
  redactError,
  resolveCommand,
  withTarget,
  runChild,
  type SessionInput,
} from '@bella/core'
import {sessionBellaVariables, databaseVariables, DATABASE_URL, execChildEnv} from './child-env.js'
import {generateDatabaseCredentials, listCredentialRoles, type ProviderRef} from './credentials-api.js'

/** What exec hands over that is not a secret (everything else is redacted from Node's messages). */
const NOT_SECRET = new Set(['BELLA_BAXTER_URL', 'BELLA_BAXTER_PROJECT', 'BELLA_BAXTER_ENV', 'DB_CREDENTIALS_EXPIRES_AT'])

export interface ProviderRequest {
  slug: string
  /** Default: the provider's default role. */
  role?: string
  /** Lease length in seconds; default: the role's default TTL. */
  ttlSeconds?: number
}

export interface ExecOptions {
  session: SessionInput
  command: string
  args: string[]
  provider?: ProviderRequest
  /** With a provider: also hand over BELLA_BAXTER_URL and the credential (always done without one). */
  passCredentials: boolean
  /** As RunOptions.ownProcessGroup: the command decides (childNeedsOwnProcessGroup). */
  ownProcessGroup: boolean
  info: (message: string) => void
  warn: (message: string) => void
}

/** Starts the command with its credentials and resolves to the exit code bella should exit with. */
export async function execCommand(options: ExecOptions): Promise<number> {
  const inherited = options.session.env
  // A typo in the command must not cost an API call, let alone a database user.
  resolveCommand(options.command, inherited.PATH)
  // Until the child runs, a terminating signal ends bella (as PID 1 it would otherwise be lost).
  const releaseEarlySignals = exitOnTerminatingSignals()
  const session = await openSession(options.session)
  const bella = () => sessionBellaVariables(session)

  let env: Record<string, string>
  // What exec hands over (a key or token, database credentials): redacted from Node's messages.
  let handedOver: Record<string, string>
  if (!options.provider) {
    handedOver = bella()
    env = execChildEnv({inherited, add: handedOver})
    options.info(`bella: starting ${options.command} with the Bella URL and ${session.credentials.kind === 'api-key' ? 'API key' : 'access token'}`)
  } else {
    const provider = options.provider
    const {ref, credentials} = await withTarget(session, async (target) => {
      const ref: ProviderRef = {project: target.project.value, environment: target.environment.value, provider: provider.slug}
      return {ref, credentials: await generateDatabaseCredentials(session.api, ref, {role: provider.role ?? null, ttlSeconds: provider.ttlSeconds ?? null})}
    })
    const database = databaseVariables(credentials)
    const staleUrl = credentials.connectionUrl === null && inherited[DATABASE_URL] !== undefined
    if (staleUrl) {
      options.warn(
        `the server gave no connection URL for provider "${ref.provider}", so DATABASE_URL is removed from the command's environment ` +
          '(it would hold other credentials); build the connection from DB_USERNAME and DB_PASSWORD',
      )
    }
    handedOver = {...(options.passCredentials ? bella() : {}), ...database}
    env = execChildEnv({
      inherited,
      add: handedOver,
      remove: staleUrl ? [DATABASE_URL] : [],
    })
    // Names and times only: never the user name, password or URL.
    options.info(
      `bella: database credentials from ${ref.project}/${ref.environment}/${ref.provider}` +
        `${options.provider.role ? ` (role ${options.provider.role})` : ''}, lease ${credentials.leaseId || '-'}, valid until ${database.DB_CREDENTIALS_EXPIRES_AT}`,
    )
  }

  releaseEarlySignals()
  const redact = createRedactor(Object.entries(handedOver).filter(([name]) => !NOT_SECRET.has(name)).map(([, value]) => value))
  try {
    return await runChild({command: options.command, args: options.args, env, redact, ownProcessGroup: options.ownProcessGroup}, {warn: options.warn})
  } catch (error) {
    throw redactError(error, redact)
  }
}

export interface ListRolesOptions {
  session: SessionInput
  provider: string
}

export interface RolesListing {
  project: string
  environment: string
  provider: string
  roles: string[]
}

/** `bella exec --provider P --list-roles`: the roles the provider can issue credentials for. */
export async function listRoles(options: ListRolesOptions): Promise<RolesListing> {
  const session = await openSession(options.session)
  return withTarget(session, async (target) => {
    const ref: ProviderRef = {project: target.project.value, environment: target.environment.value, provider: options.provider}
    const roles = await listCredentialRoles(session.api, ref)
    return {project: ref.project, environment: ref.environment, provider: ref.provider, roles}
  })
}
