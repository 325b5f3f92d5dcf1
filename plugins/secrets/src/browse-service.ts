/** `bella projects list`, `bella environments list`, `bella providers list`. */
import {getKeyContext, openSession, resolveTarget, type SessionInput} from '@bella/core'
import {listEnvironments, listProjects, type EnvironmentSummary, type ProjectSummary, type ProviderSummary} from './api.js'
import {readProviders, withWorking} from './target.js'

export async function projectsList(input: SessionInput): Promise<ProjectSummary[]> {
  const session = await openSession(input)
  return listProjects(session.api)
}

/** The project comes from -p, BELLA_BAXTER_PROJECT, .bella, or the key's own scope. */
export async function environmentsList(input: SessionInput): Promise<{project: string; environments: EnvironmentSummary[]}> {
  const session = await openSession(input)
  let project = session.settings.project?.value
  if (!project) {
    // Only the project is needed: keys/me gives it even when no environment is configured.
    const context: unknown = session.credentials.kind === 'api-key' ? await getKeyContext(session.api) : undefined
    const slug = (context as {projectSlug?: unknown} | undefined)?.projectSlug
    project = typeof slug === 'string' && slug !== '' ? slug : undefined
    if (!project) await resolveTarget(session) // throws the usual "no project" usage error
  }
  return {project: project!, environments: await listEnvironments(session.api, project!)}
}

export async function providersList(input: SessionInput): Promise<{project: string; environment: string; providers: ProviderSummary[]}> {
  return withWorking(input, async (w) => ({project: w.project, environment: w.environment, providers: await readProviders(w, undefined)}))
}
