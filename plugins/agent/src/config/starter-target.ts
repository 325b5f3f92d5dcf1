/**
 * The project and environment `bella agent --init` writes into its starter: the resolved context
 * (flag-less: environment variables, .bella, user config, else the API key's own scope from
 * keys/me), or none when nothing is known or the API cannot say within a few seconds.
 */
import {openSession, resolveTarget, type SessionInput} from '@bella/core'
import type {StarterTarget} from './starter.js'

export async function findStarterTarget(input: SessionInput): Promise<StarterTarget | undefined> {
  try {
    const session = await openSession({...input, timeoutMs: Math.min(input.timeoutMs ?? 5000, 5000)})
    const {project, environment} = await resolveTarget(session)
    const origins = [...new Set([project.origin, environment.origin])]
    return {project: project.value, environment: environment.value, origin: origins.join(', ')}
  } catch {
    return undefined
  }
}
