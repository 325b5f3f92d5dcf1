/**
 * Sink and signal strategies: what plugins contribute. A sink writes a secrets map somewhere; a
 * signal tells a running program that secrets changed. Both are looked up by name in a registry
 * that core fills from static registrations (bundles) and the `bella:sinks` / `bella:signals`
 * oclif hooks (installed plugins), so a third party adds one without touching core.
 */

export type Secrets = Readonly<Record<string, string>>

export type SinkWriteResult = 'written' | 'unchanged'

export interface Sink {
  /** Where it writes, for messages (a path, never content). */
  readonly target: string
  /** Writes the whole set atomically; 'unchanged' when the bytes would be identical. */
  write(secrets: Secrets): Promise<SinkWriteResult>
  /**
   * Removes what an earlier, killed bella left behind for this target (a file sink's stale temp
   * files); resolves what was removed, for the log. Called when the agent starts or reloads.
   */
  removeStale?(): Promise<string[]>
  /** Things the user should know about the sink's options (a group-readable mode); never content. */
  readonly warnings?: readonly string[]
}

export interface SinkContext {
  /** Relative paths in options resolve against this folder (the config file's). */
  baseDir: string
}

export interface SinkDefinition {
  readonly name: string
  readonly description: string
  /**
   * Validates the sink's options (everything but `type` from its config entry) and builds it.
   * Throws a usage BellaError naming the bad option.
   */
  create(options: Readonly<Record<string, unknown>>, context: SinkContext): Sink
  /**
   * Reads a written file back into a map; used by the contract test to prove round-trips. May be
   * async, so a parser library is loaded only when a file is actually read back.
   */
  parse?(content: string): Record<string, string> | Promise<Record<string, string>>
  /**
   * The text the sink would write, for printing instead of writing (`bella secrets export` without
   * `--output`). Throws a BellaError naming (never showing) a secret the format cannot hold. A sink
   * without it can still export, to a file only.
   */
  render?(secrets: Secrets): string | Promise<string>
}

/** The process a signal strategy acts on. */
export interface SignalTarget {
  /** Human description for messages, e.g. "child 1234" or "pid 88 from ./app.pid". */
  readonly description: string
  /** Sends an OS signal; false when the process no longer exists. */
  kill(signal: NodeJS.Signals): Promise<boolean>
  /**
   * Stops the process and starts it again with the new secrets. Absent when bella does not own
   * the process (an agent's pid-file target).
   */
  restart?(): Promise<void>
}

export interface SignalStrategy {
  notify(target: SignalTarget): Promise<void>
}

export interface SignalDefinition {
  readonly name: string
  readonly description: string
  /** True when the strategy needs a process bella started itself (`restart`). */
  readonly requiresOwnedProcess?: boolean
  /** True for a strategy that deliberately tells nobody (`none`); the contract test holds it to that. */
  readonly inert?: boolean
  create(options?: Readonly<Record<string, unknown>>): SignalStrategy
}
