/**
 * `bella run --explain`: everything `bella run` would do up to starting the command, then an
 * account of the environment the command would get instead of the command. Loaded only with
 * --explain. Nothing is started and nothing is written.
 */
import {getAllEnvironmentSecrets, openSession, resolveCommand, resolveTarget} from '@bella/core/runtime'
import {explainEnvironment, listProviderSecrets, renderExplanation, type Explanation} from '@bella/core/explain'
import type {RunOptions} from './run-service.js'

const ALLOW_FLAG = '--allow-reserved-env'

/** The --json shape of `bella run --explain` (names, slugs and sizes; never a value). */
export interface RunExplanation extends Explanation {
  command: 'run'
  project: string
  environment: string
  version: number
  /** Always false: --explain never starts the command. */
  started: false
  /** Why the providers are unknown, when they are. */
  providersUnavailable?: string
}

export async function explainRun(options: Omit<RunOptions, 'ownProcessGroup'>): Promise<RunExplanation> {
  // As `bella run`: a command that cannot be found is the same 127, before any API call.
  resolveCommand(options.command, options.session.env.PATH)
  const session = await openSession(options.session)
  const target = await resolveTarget(session)
  const project = target.project.value
  const environment = target.environment.value
  const fetched = await getAllEnvironmentSecrets(session.api, project, environment)
  const listing = await listProviderSecrets(session.api, project, environment)
  if (listing.providers === undefined) options.warn(`${listing.unavailable}; the explanation cannot say which provider each secret came from`)
  const explanation = explainEnvironment({
    secrets: fetched.secrets,
    sealed: fetched.sealed,
    ...(listing.providers ? {providers: listing.providers} : {}),
    inherited: options.session.env,
    passCredentials: options.passCredentials,
    allowReserved: options.allowReserved,
    allowFlag: ALLOW_FLAG,
    command: options.command,
    args: options.args,
  })
  return {
    command: 'run',
    project,
    environment,
    version: fetched.version,
    started: false,
    ...(listing.providers === undefined ? {providersUnavailable: listing.unavailable} : {}),
    ...explanation,
  }
}

/** The lines for stderr. */
export function renderRunExplanation(result: RunExplanation, commandLabel: string): string[] {
  return [
    `bella: explaining what ${commandLabel} would get from ${result.project}/${result.environment} (version ${result.version}); it is not started`,
    ...renderExplanation(result),
  ]
}
