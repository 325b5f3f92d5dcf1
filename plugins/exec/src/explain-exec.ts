/**
 * `bella exec --explain`: what exec would hand the command, by name and source, without starting
 * it. With --provider no credentials are generated: generating creates a database login role,
 * and explaining must change nothing. The provider's roles are listed instead (a read), which
 * checks the provider and role exist; the DB_* names are the ones a generation would set.
 * Loaded only with --explain.
 */
import {openSession, resolveCommand, resolveTarget} from '@bella/core'
import {measureExplained, sizeLine, shownName, shownSlug, table, type EnvironmentSizeExplained} from '@bella/core/explain'
import {sessionBellaVariables, DATABASE_URL, DB_CREDENTIALS_EXPIRES_AT, DB_PASSWORD, DB_USERNAME, execChildEnv} from './child-env.js'
import {listCredentialRoles, type ProviderRef} from './credentials-api.js'
import type {ExecOptions} from './exec-service.js'

export type ExecSource = 'bella-url' | 'bella-credential' | 'bella-scope' | 'database-credentials'

export interface ExecExplanation {
  command: 'exec'
  /** Always false: nothing is started, and no credentials are generated. */
  started: false
  credentialsGenerated: false
  provider: {project: string; environment: string; slug: string; role: string | null; roles: string[]; roleKnown: boolean} | null
  /** What the command would get from exec, by name. */
  variables: {name: string; source: ExecSource; note?: string}[]
  /** Inherited variables exec would replace. */
  overrides: string[]
  /** Inherited variables exec removes (every BELLA_* one). */
  removed: string[]
  /** Without the database credentials (not generated), which add a few hundred bytes. */
  size: EnvironmentSizeExplained
}

const SOURCE_TEXT: Record<ExecSource, string> = {
  'bella-url': "bella's API URL",
  'bella-credential': "bella's credential",
  'bella-scope': "bella's project/environment",
  'database-credentials': 'generated when the command starts',
}

function sourceOf(name: string): ExecSource {
  if (name === 'BELLA_BAXTER_URL') return 'bella-url'
  return name === 'BELLA_BAXTER_PROJECT' || name === 'BELLA_BAXTER_ENV' ? 'bella-scope' : 'bella-credential'
}

export async function explainExec(options: Omit<ExecOptions, 'ownProcessGroup'>): Promise<ExecExplanation> {
  const inherited = options.session.env
  resolveCommand(options.command, inherited.PATH)
  const session = await openSession(options.session)
  const bella = () => sessionBellaVariables(session)
  const handedOver = !options.provider || options.passCredentials ? bella() : {}
  const variables: ExecExplanation['variables'] = Object.keys(handedOver).map((name) => ({name, source: sourceOf(name)}))
  let provider: ExecExplanation['provider'] = null
  if (options.provider) {
    const target = await resolveTarget(session)
    const ref: ProviderRef = {project: target.project.value, environment: target.environment.value, provider: options.provider.slug}
    const roles = await listCredentialRoles(session.api, ref)
    const role = options.provider.role ?? null
    const roleKnown = role === null || roles.includes(role)
    if (!roleKnown) options.warn(`provider "${ref.provider}" has no role ${shownName(role!)}; bella exec would be refused (roles: ${roles.map(shownName).join(', ') || 'none'})`)
    provider = {project: ref.project, environment: ref.environment, slug: ref.provider, role, roles, roleKnown}
    for (const name of [DB_USERNAME, DB_PASSWORD, DB_CREDENTIALS_EXPIRES_AT]) variables.push({name, source: 'database-credentials'})
    variables.push({
      name: DATABASE_URL,
      source: 'database-credentials',
      note: inherited[DATABASE_URL] === undefined ? 'when the server gives a connection URL' : 'when the server gives a connection URL; else the inherited one is removed',
    })
  }
  const env = execChildEnv({inherited, add: handedOver})
  const names = new Set(variables.map((v) => v.name))
  const kept = Object.entries(inherited).filter((e): e is [string, string] => e[1] !== undefined)
  return {
    command: 'exec',
    started: false,
    credentialsGenerated: false,
    provider,
    variables,
    overrides: kept.filter(([name]) => names.has(name) && !name.startsWith('BELLA_')).map(([name]) => name),
    removed: kept.filter(([name]) => !Object.hasOwn(env, name)).map(([name]) => name),
    size: measureExplained(env, options.command, options.args),
  }
}

/** The lines for stderr. */
export function renderExecExplanation(result: ExecExplanation, commandLabel: string): string[] {
  const p = result.provider
  const lines = [
    p
      ? `bella: explaining what ${commandLabel} would get from provider ${shownSlug(p.slug)} of ${p.project}/${p.environment} (role ${p.role === null ? "the provider's default" : shownName(p.role)}); no credentials are generated and it is not started`
      : `bella: explaining what ${commandLabel} would get; it is not started`,
  ]
  lines.push(...table([['NAME', 'SOURCE'], ...result.variables.map((v) => [shownName(v.name), SOURCE_TEXT[v.source] + (v.note ? ` (${v.note})` : '')])]))
  if (result.overrides.length > 0) lines.push(`bella: replaces inherited ${result.overrides.map(shownName).join(', ')}`)
  if (result.removed.length > 0) lines.push(`bella: not passed on from bella's environment: ${result.removed.map(shownName).join(', ')}`)
  lines.push(sizeLine(result.size) + (p ? ' (without the database credentials, a few hundred bytes)' : ''))
  return lines
}
