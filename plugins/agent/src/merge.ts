/** Merging the watches' secrets into the one set every sink gets. */
import {quoteName} from '@bella/core'
import type {AgentLog} from './log.js'

const MAX_COLLISIONS_LISTED = 20

/**
 * Later watches win; keys compared case-sensitively; a key two watches define is reported once
 * (`reported` remembers which), by name only, never by value.
 */
export function mergeWatchSecrets(
  sets: readonly {label: string; secrets: Readonly<Record<string, string>>}[],
  reported: Set<string>,
  log: AgentLog,
): Record<string, string> {
  if (sets.length === 1) return sets[0]!.secrets as Record<string, string>
  const merged = new Map<string, string>()
  const owner = new Map<string, number>()
  const collisions: {key: string; text: string}[] = []
  sets.forEach(({secrets}, index) => {
    for (const key of Object.keys(secrets)) {
      const previous = owner.get(key)
      if (previous !== undefined && previous !== index && !reported.has(key)) {
        reported.add(key)
        collisions.push({key, text: `${quoteName(key, 200)} (${sets[previous]!.label} → ${sets[index]!.label})`})
      }
      owner.set(key, index)
      merged.set(key, secrets[key]!)
    }
  })
  if (collisions.length > 0) {
    const listed = collisions
      .slice(0, MAX_COLLISIONS_LISTED)
      .map((c) => c.text)
      .join(', ')
    const more = collisions.length > MAX_COLLISIONS_LISTED ? ` and ${collisions.length - MAX_COLLISIONS_LISTED} more` : ''
    log.emit({
      event: 'collision',
      level: 'warn',
      message: `${collisions.length} key${collisions.length === 1 ? ' is' : 's are'} defined by more than one watch; the later watch wins: ${listed}${more}`,
      keys: collisions.map((c) => c.key),
    })
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary key.
  return Object.fromEntries(merged)
}
