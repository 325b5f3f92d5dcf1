/**
 * Error messages for the agent's log with every secret value it holds redacted, when they come
 * from code bella does not own: sinks and strategies are plugins, and their libraries' messages
 * may quote what they were given. bella's own errors (the API client's) are left as written.
 */
import {createRedactor, isBellaError, type Redactor} from '@bella/core'
import {errorMessage} from './messages.js'

type SecretSets = (Readonly<Record<string, string>> | undefined)[]

export class ErrorDescriber {
  private cached: {sets: SecretSets; redact: Redactor} | undefined

  /** `sets` returns the secret maps the agent currently holds (staged and committed, per watch). */
  constructor(private readonly sets: () => SecretSets) {}

  describe(error: unknown, foreign = true): string {
    if (!foreign && isBellaError(error)) return errorMessage(error)
    const sets = this.sets()
    const cached = this.cached
    // The redactor is rebuilt only when a held set changed (they are replaced, never mutated).
    if (!cached || cached.sets.length !== sets.length || sets.some((set, i) => set !== cached.sets[i])) {
      this.cached = {sets, redact: createRedactor(sets.flatMap((set) => (set ? Object.values(set) : [])))}
    }
    return this.cached!.redact(errorMessage(error))
  }
}
