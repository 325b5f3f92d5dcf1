/** The session, project and environment a command works on, and the provider it writes to. */
import {generalError, isPrintable, openSession, quoteText, resolveTarget, usageError, withTarget, type Session, type SessionInput, type Target} from '@bella/core'
import {listProviders, type ProviderSummary} from './api.js'

export interface Working {
  session: Session
  target: Target
  project: string
  environment: string
}

/** For writes: the target from a fresh keys/me when the key's scope is needed (never the cache). */
export async function openWorking(input: SessionInput): Promise<Working> {
  const session = await openSession(input)
  return working(session, await resolveTarget(session))
}

/**
 * For reads: `read` may run with the key's cached context and, if the API refuses that target
 * (the key was re-scoped), once more with a fresh one (core's withTarget), so it must only read.
 */
export async function withWorking<T>(input: SessionInput, read: (w: Working) => Promise<T>): Promise<T> {
  const session = await openSession(input)
  return withTarget(session, (target) => read(working(session, target)))
}

const working = (session: Session, target: Target): Working => ({session, target, project: target.project.value, environment: target.environment.value})

/** A slug as it is when printable, else quoted with its control characters escaped. */
export const slug = (text: string) => (isPrintable(text) && !/\s/.test(text) ? text : quoteText(text, 100))

export const where = (w: Pick<Working, 'project' | 'environment'>) => `${slug(w.project)}/${slug(w.environment)}`

/**
 * The providers to read: the named one (checked to be assigned), else all of them in merge order
 * (a later provider wins a name both hold, as in `bella run`).
 */
export async function readProviders(w: Working, named: string | undefined): Promise<ProviderSummary[]> {
  const providers = await listProviders(w.session.api, w.project, w.environment)
  if (named === undefined) return providers
  const found = providers.find((p) => p.slug === named)
  if (!found) throw unknownProvider(w, named, providers)
  return [found]
}

/** The provider to write to: the named one, or the only one; several and none named is a usage error listing them. */
export async function writeProvider(w: Working, named: string | undefined): Promise<ProviderSummary> {
  const providers = await listProviders(w.session.api, w.project, w.environment)
  if (named !== undefined) {
    const found = providers.find((p) => p.slug === named)
    if (!found) throw unknownProvider(w, named, providers)
    return found
  }
  if (providers.length === 1) return providers[0]!
  if (providers.length === 0) {
    throw generalError(`Environment ${where(w)} has no secret provider to hold secrets`, {
      code: 'no_provider',
      suggestions: ['assign a provider to the environment in Bella Baxter first'],
    })
  }
  throw usageError(`Environment ${where(w)} has ${providers.length} providers; say which one to write to with --provider`, {
    code: 'provider_required',
    suggestions: providers.map((p) => `--provider ${slug(p.slug)}  (${quoteText(p.name, 60)}, ${quoteText(p.type, 30)})`),
  })
}

function unknownProvider(w: Working, named: string, providers: ProviderSummary[]) {
  return usageError(`Provider ${quoteText(named, 100)} is not assigned to ${where(w)}`, {
    code: 'unknown_provider',
    suggestions: [providers.length > 0 ? `use one of: ${providers.map((p) => slug(p.slug)).join(', ')}` : 'the environment has no providers'],
  })
}
