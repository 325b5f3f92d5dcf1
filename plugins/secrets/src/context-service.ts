/** `bella context init|show|get|clear`: the `.bella` file of the current folder (contract §1.5). */
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {
  BELLA_FILE_NAME,
  getEnvironment,
  keyPrefix,
  openSession,
  parseApiKey,
  quoteText,
  resolveSettings,
  resolveTarget,
  usageError,
  writeFileAtomic,
  type Resolved,
  type SessionInput,
} from '@bella/core'
import {listEnvironments, listProjects} from './api.js'
import type {Choice} from './prompt.js'

export interface InitOptions {
  session: SessionInput
  /** -p and -e as given (never from the environment or another .bella). */
  project?: string
  environment?: string
  /** A terminal: missing values are offered as choices; otherwise they are required. */
  choose?: (title: string, choices: Choice[]) => Promise<string>
}

/** What may go between the quotes of a .bella value and read back the same (§1.5 strips quotes and spaces). */
function checkSlug(value: string, flag: string): string {
  if (value === '' || /["'\r\n\0]/.test(value) || value.trim() !== value) {
    throw usageError(`${flag} ${quoteText(value, 100)} cannot be written to ${BELLA_FILE_NAME}: no quotes, line breaks or surrounding spaces`, {code: 'invalid_context'})
  }
  return value
}

export async function contextInit(options: InitOptions): Promise<{path: string; project: string; environment: string}> {
  if ((!options.project || !options.environment) && !options.choose) {
    throw usageError('Without a terminal, bella context init needs both -p/--project and -e/--environment', {
      code: 'context_needs_flags',
      suggestions: ['bella context init -p <project> -e <environment>', 'bella projects list and bella environments list -p <project> show what exists'],
    })
  }
  const session = await openSession(options.session)
  const project =
    options.project ?? (await options.choose!('project', (await listProjects(session.api)).map((p) => ({value: p.slug, label: `${p.slug}  (${p.name})`}))))
  const environment =
    options.environment ??
    (await options.choose!('environment', (await listEnvironments(session.api, project)).map((e) => ({value: e.slug, label: `${e.slug}  (${e.name})`}))))
  checkSlug(project, '--project')
  checkSlug(environment, '--environment')
  // Proves both exist (404 otherwise) before a file points at them.
  await getEnvironment(session.api, project, environment)
  const path = join(options.session.cwd, BELLA_FILE_NAME)
  await writeFileAtomic(path, `project = "${project}"\nenvironment = "${environment}"\n`, {mode: 0o644})
  return {path, project, environment}
}

export interface ContextShown {
  apiUrl: Resolved<string>
  credentials: {kind: 'api-key' | 'bearer'; keyPrefix?: string; source: string; origin: string}
  role?: string
  project: Resolved<string>
  environment: Resolved<string>
  app?: Resolved<string>
  bellaFile?: string
}

/** The resolved context and where each value came from (whoami's data; the key only as its public prefix). */
export async function contextShow(input: SessionInput): Promise<ContextShown> {
  const session = await openSession(input)
  const target = await resolveTarget(session)
  const {credentials, settings} = session
  return {
    apiUrl: settings.apiUrl,
    credentials: {
      kind: credentials.kind,
      ...(credentials.kind === 'api-key' ? {keyPrefix: keyPrefix(parseApiKey(credentials.raw).keyId)} : {}),
      source: credentials.source,
      origin: credentials.origin,
    },
    ...(target.keyContext?.role ? {role: target.keyContext.role} : {}),
    project: target.project,
    environment: target.environment,
    ...(settings.app ? {app: settings.app} : {}),
    ...(settings.bellaFile ? {bellaFile: settings.bellaFile} : {}),
  }
}

/** Local only (flags, environment, .bella, user config): fast enough for a shell prompt, no request. */
export function contextGet(input: SessionInput): {project: Resolved<string>; environment: Resolved<string>} {
  const settings = resolveSettings(input)
  if (!settings.project || !settings.environment) {
    const missing = [!settings.project && 'project', !settings.environment && 'environment'].filter(Boolean).join(' and ')
    throw usageError(`No ${missing} is set here (flags, BELLA_BAXTER_PROJECT/BELLA_BAXTER_ENV, or a .bella file)`, {
      code: 'no_context',
      suggestions: ['bella context init writes a .bella file for this folder'],
    })
  }
  return {project: settings.project, environment: settings.environment}
}

/** Removes `.bella` from `cwd` (not from folders above); false when there was none. */
export async function contextClear(cwd: string): Promise<{path: string; removed: boolean}> {
  const path = join(cwd, BELLA_FILE_NAME)
  try {
    await rm(path)
    return {path, removed: true}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {path, removed: false}
    throw error
  }
}
