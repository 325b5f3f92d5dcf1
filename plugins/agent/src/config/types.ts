/** What a valid `bella-agent.yaml` becomes (see load.ts for the file's schema). */
import type {BellaError, Env, Registries, SignalStrategy, Sink} from '@bella/core'

export const DEFAULT_CONFIG_FILE = 'bella-agent.yaml'
export const DEFAULT_POLL_INTERVAL = 30
export const MIN_POLL_INTERVAL = 5
export const MAX_POLL_INTERVAL = 86_400
export interface WatchConfig {
  project: string
  environment: string
  /** As written; resolved against the environment's providers when the agent starts. */
  provider?: string
  pollIntervalSeconds: number
  /** "shop/dev" or "shop/dev provider vault-dev": for messages. */
  label: string
  /** "file:line:col" of the entry (or of its provider value), for problems only the API reveals. */
  where: string
  providerWhere?: string
}

export interface SinkConfig {
  type: string
  sink: Sink
  where: string
}

export interface ProcessConfig {
  signal: string
  strategy: SignalStrategy
  /** True for a strategy that tells nobody (`none`). */
  inert: boolean
  /** Absolute path, when given. */
  pidFile?: string
  /** As written in the file, for messages. */
  pidFileLabel?: string
}

export interface AgentConfig {
  /** The path as the user gave it, for messages. */
  file: string
  /** Absolute path. */
  path: string
  baseDir: string
  watches: WatchConfig[]
  sinks: SinkConfig[]
  process?: ProcessConfig
}

export interface LoadConfigOptions {
  /** Absolute path of the config file. */
  path: string
  /** The path as the user wrote it (labels messages); defaults to `path`. */
  label?: string
  env: Env
  registries: Registries
}

export interface ConfigProblem {
  line: number
  col: number
  /** e.g. "watches[0].poll-interval"; empty for the document itself. */
  at: string
  message: string
  allowed?: string
}

/** The usage error for an invalid file; `problems` carries the details for JSON logs. */
export type ConfigError = BellaError & {problems: string[]}
