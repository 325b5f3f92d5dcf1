import {openSession, resolveTarget, usageError, type SessionInput} from '@bella/core'
import {ADMIN_PREFIX} from './routes/admin-routes.js'

export interface SetSecretsOptions {
  session: SessionInput
  /** `KEY=VALUE` assignments as typed. */
  assignments: string[]
  unset: string[]
  provider?: string
}

export interface SetSecretsResult {
  project: string
  environment: string
  version: number
  changed: boolean
}

/** Parses `KEY=VALUE` words; the value may itself contain `=`. */
export function parseAssignments(words: string[]): Record<string, string> {
  // A Map, then fromEntries: `set[name] = …` would make a secret named `__proto__` vanish.
  const set = new Map<string, string>()
  for (const word of words) {
    const eq = word.indexOf('=')
    if (eq <= 0) {
      throw usageError(`"${word.slice(0, 40)}" is not a KEY=VALUE assignment`, {
        suggestions: ['write each secret as NAME=value (quote it for the shell if the value has spaces)'],
      })
    }
    set.set(word.slice(0, eq), word.slice(eq + 1))
  }
  return Object.fromEntries(set)
}

/** Changes secrets in a running emulator through its signed admin route. */
export async function setEmulatorSecrets(options: SetSecretsOptions): Promise<SetSecretsResult> {
  const set = parseAssignments(options.assignments)
  if (Object.keys(set).length === 0 && options.unset.length === 0) {
    throw usageError('Nothing to change', {suggestions: ['give KEY=VALUE assignments and/or --unset KEY']})
  }
  const session = await openSession(options.session)
  const target = await resolveTarget(session)
  const segments = ['projects', target.project.value, 'environments', target.environment.value]
  if (options.provider) segments.push('providers', options.provider)
  const path = `${ADMIN_PREFIX}/${[...segments, 'secrets'].map(encodeURIComponent).join('/')}`
  // Setting values is idempotent, so a retry after a lost answer is safe.
  const result = await session.api.request<{version: number; changed: boolean}>({
    method: 'POST',
    path,
    body: {set, unset: options.unset},
    idempotent: true,
  })
  return {project: target.project.value, environment: target.environment.value, version: result.version, changed: result.changed}
}
