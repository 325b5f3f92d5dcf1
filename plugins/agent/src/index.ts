// @bella/plugin-agent: `bella agent`, the sidecar that keeps secret files in sync.
export {Agent, type AgentOptions, type AgentTimers} from './agent.js'
export {
  loadAgentConfig,
  parseAgentConfig,
  formatProblem,
  DEFAULT_CONFIG_FILE,
  DEFAULT_POLL_INTERVAL,
  MIN_POLL_INTERVAL,
  MAX_POLL_INTERVAL,
  type AgentConfig,
  type ConfigError,
  type ConfigProblem,
  type LoadConfigOptions,
  type ProcessConfig,
  type SinkConfig,
  type WatchConfig,
} from './config/load.js'
export {expandVariables, type ExpandResult} from './config/expand.js'
export {STARTER_CONFIG, starterConfig, writeStarterConfig, type StarterTarget} from './config/starter.js'
export {createAgentLog, type AgentEvent, type AgentEventName, type AgentLog, type LogFormat, type LogLevel} from './log.js'
export {pidFileTarget, type PidFileTarget} from './pid-file.js'
