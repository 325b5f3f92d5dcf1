import {
  buildChildEnv,
  createRedactor,
  describeWithheld,
  openSession,
  resolveCommand,
  exitOnTerminatingSignals,
  fetchSecretsWithFallback,
  redactError,
  runChild,
  type ChildEnv,
  type FallbackOptions,
  type MaskStreams,
  type OutputMask,
  type FetchedEnvironmentSecrets,
  type SnapshotUse,
  type Redactor,
  type Session,
  type SessionInput,
  type Target,
  type WithheldSecret,
} from '@bella/core/runtime'

export interface RunOptions {
  session: SessionInput
  command: string
  args: string[]
  passCredentials: boolean
  allowReserved: boolean
  /**
   * Start the command in a session and process group of its own, so a signal sent to bella's
   * whole group reaches it once (bella's forwarded copy), and bella's forwards and stops reach its
   * children too. The command decides (core's childNeedsOwnProcessGroup: no interactive terminal).
   */
  ownProcessGroup: boolean
  /** The offline snapshot (--max-stale, --fallback-only); absent: none read or written. */
  fallback?: FallbackOptions
  /** Mask the secret values in these output streams of the command (`--mask`); undefined: none. */
  mask?: MaskStreams
  info: (message: string) => void
  warn: (message: string) => void
}

/** Everything `bella run` knows once the secrets are in, before a child is started. */
export interface PreparedRun {
  session: Session
  target: Target
  fetched: FetchedEnvironmentSecrets
  /** The child's complete environment. */
  env: Record<string, string>
  withheld: WithheldSecret[]
  /** Redacts the fetched secret values from any message bella did not write itself. */
  redact: Redactor
  /** Set when the secrets came from the offline snapshot. */
  fromSnapshot?: SnapshotUse
  /** Writes the offline snapshot of a live fetch; started once the child is starting, awaited before bella exits. Never rejects. */
  saveSnapshot: () => Promise<void>
}

const NO_FALLBACK: FallbackOptions = {maxStaleMs: 0, only: false, cacheDir: ''}

/**
 * Child environment for `secrets` under the run's options (inherited env, credentials, reserved
 * names); `sealed` names the secrets the API layer already left out for being sealed at rest.
 */
export function childEnvFor(options: RunOptions, secrets: Readonly<Record<string, string>>, sealed: readonly string[] = []): ChildEnv {
  const built = buildChildEnv({
    inherited: options.session.env,
    secrets,
    passCredentials: options.passCredentials,
    allowReserved: options.allowReserved,
  })
  return {env: built.env, withheld: [...sealed.map((name): WithheldSecret => ({name, reason: 'sealed'})), ...built.withheld]}
}

/** Checks the command, opens the session, fetches the secrets and builds the child environment. */
export async function prepareRun(options: RunOptions): Promise<PreparedRun> {
  // A typo in the command should not cost a round-trip to the API first.
  resolveCommand(options.command, options.session.env.PATH)
  const session = await openSession(options.session)
  const {target, fetched, fromSnapshot, save} = await fetchSecretsWithFallback(session, options.fallback ?? NO_FALLBACK, options.warn)
  const {env, withheld} = childEnvFor(options, fetched.secrets, fetched.sealed)
  const warning = describeWithheld(withheld, {allowFlag: '--allow-reserved-env'})
  if (warning) options.warn(warning)
  options.info(
    `bella: ${Object.keys(fetched.secrets).length + fetched.sealed.length - withheld.length} secrets from ${target.project.value}/${target.environment.value} (version ${fetched.version}${fromSnapshot ? ', offline snapshot' : ''})`,
  )
  return {session, target, fetched, env, withheld, redact: redactorFor(fetched.secrets), fromSnapshot, saveSnapshot: save}
}

/** A redactor for the values of `secrets` (Node's spawn errors quote environment values). */
export function redactorFor(secrets: Readonly<Record<string, string>>): Redactor {
  return createRedactor(Object.values(secrets))
}

/** What the child's output is masked with under the run's options: every fetched value. */
export function outputMaskFor(options: RunOptions, secrets: Readonly<Record<string, string>>): OutputMask | undefined {
  return options.mask && {...options.mask, values: Object.values(secrets)}
}

/** Fetches the environment's secrets, starts the command with them, and resolves to its exit code. */
export async function runWithSecrets(options: RunOptions): Promise<number> {
  const release = exitOnTerminatingSignals()
  let prepared: PreparedRun
  try {
    prepared = await prepareRun(options)
  } finally {
    release()
  }
  const {env, redact} = prepared
  // The snapshot is written while the child starts and runs, and finished before bella exits.
  const saving = prepared.saveSnapshot()
  try {
    const mask = outputMaskFor(options, prepared.fetched.secrets)
    return await runChild({command: options.command, args: options.args, env, redact, ownProcessGroup: options.ownProcessGroup, mask}, {warn: options.warn})
  } catch (error) {
    // Whatever Node or a library said about the start, it reaches the user only redacted.
    throw redactError(error, redact)
  } finally {
    await saving
  }
}
