import {homedir} from 'node:os'
import {cacheDirFrom, configDirFrom} from './config/paths.js'
import {createOutput} from './output.js'
import type {Waiting} from './api/waiting.js'
import type {SessionInput} from './session.js'

export interface ConnectionFlagValues {
  'api-url'?: string
  app?: string
  insecure?: boolean
  project?: string
  environment?: string
  timeout?: string
  /** --verbose: the session's `debug: …` lines (the cached key context, …) are printed. */
  verbose?: boolean
}

/**
 * The process boundary: the only place flags, process.env and the cwd become a SessionInput.
 * `warn` defaults to `notice` with a `Warning: ` prefix (as Output.warn prints). Both say each
 * message once, however often the settings are resolved during the command.
 */
export function sessionInputFrom(flags: ConnectionFlagValues, notice: (message: string) => void, warn?: (message: string) => void): SessionInput {
  const said = new Set<string>()
  const once = (say: (message: string) => void) => (message: string) => {
    if (said.has(message)) return
    said.add(message)
    say(message)
  }
  return {
    flags: {
      apiUrl: flags['api-url'],
      app: flags.app,
      insecure: flags.insecure,
      project: flags.project,
      environment: flags.environment,
      timeout: flags.timeout,
    },
    env: process.env,
    cwd: process.cwd(),
    configDir: configDirFrom(process.env, homedir()),
    cacheDir: cacheDirFrom(process.env, homedir()),
    ...(flags.verbose ? {debug: createOutput({verbose: true}).debug} : {}),
    notice: once(notice),
    warn: once(warn ?? ((message) => notice(`Warning: ${message}`))),
    // process.stderr is looked at only when an answer is slow: creating it costs ~1 ms of start-up.
    waiting: terminalWaiting(() => process.stderr),
  }
}

/**
 * After 2 s without an answer, one "waiting for <host>…" line on `stream` if it is a terminal,
 * erased when the answer comes.
 */
export function terminalWaiting(stream: () => NodeJS.WriteStream, afterMs = 2000): Waiting {
  let shown = false
  return {
    afterMs,
    show: (host) => {
      if (!stream().isTTY) return
      shown = true
      stream().write(`waiting for ${host}…`)
    },
    done: () => {
      if (shown) stream().write('\r\x1b[2K')
      shown = false
    },
  }
}

/** The user config folder (`$XDG_CONFIG_HOME/bella` or `~/.config/bella`), from process.env. */
export const userConfigDir = (): string => configDirFrom(process.env, homedir())
