import {
  buildChildEnv,
  describeWithheld,
  getAllEnvironmentSecrets,
  openSession,
  resolveCommand,
  resolveTarget,
  runChild,
  type SessionInput,
} from '@bella/core'

export interface RunOptions {
  session: SessionInput
  command: string
  args: string[]
  passCredentials: boolean
  allowReserved: boolean
  info: (message: string) => void
  warn: (message: string) => void
}

/** Fetches the environment's secrets, starts the command with them, and resolves to its exit code. */
export async function runWithSecrets(options: RunOptions): Promise<number> {
  const inherited = options.session.env
  // A typo in the command should not cost a round-trip to the API first.
  resolveCommand(options.command, inherited.PATH)
  const session = await openSession(options.session)
  const target = await resolveTarget(session)
  const fetched = await getAllEnvironmentSecrets(session.api, target.project.value, target.environment.value)
  const {env, withheld} = buildChildEnv({
    inherited,
    secrets: fetched.secrets,
    passCredentials: options.passCredentials,
    allowReserved: options.allowReserved,
  })
  const warning = describeWithheld(withheld, {allowFlag: '--allow-reserved-env'})
  if (warning) options.warn(warning)
  options.info(
    `bella: ${Object.keys(fetched.secrets).length - withheld.length} secrets from ${target.project.value}/${target.environment.value} (version ${fetched.version})`,
  )
  return runChild({command: options.command, args: options.args, env}, {warn: options.warn})
}
