/** Telling the pid-file's process that the files changed (after every sink was written). */
import type {ProcessConfig} from './config/load.js'
import type {AgentLog} from './log.js'
import {pidFileTarget, type PidFileDeps} from './pid-file.js'

/** Signals the configured process through its strategy; every outcome is one log event. */
/** `describe` renders a strategy's error for the log (redacted: a strategy may be a plugin). */
export async function notifyProcess(
  processConfig: ProcessConfig | undefined,
  log: AgentLog,
  describe: (error: unknown) => string,
  pidFileDeps?: PidFileDeps,
): Promise<void> {
  if (!processConfig || processConfig.inert || !processConfig.pidFile) return
  const label = processConfig.pidFileLabel ?? processConfig.pidFile
  const found = await pidFileTarget(processConfig.pidFile, label, pidFileDeps)
  if (!found.ok) {
    log.emit({event: 'signal-skipped', level: 'warn', message: `not signalling: ${found.reason}`, pidFile: label})
    return
  }
  try {
    await processConfig.strategy.notify(found.target)
  } catch (error) {
    log.emit({
      event: 'signal-skipped',
      level: 'warn',
      message: `could not ${processConfig.signal} ${found.target.description}: ${describe(error)}`,
      pid: found.pid,
      pidFile: label,
    })
    return
  }
  if (found.target.sent.length === 0) {
    log.emit({
      event: 'signal-skipped',
      level: 'warn',
      message: `process ${found.pid} from ${label} exited before it could be signalled`,
      pid: found.pid,
      pidFile: label,
    })
    return
  }
  log.emit({
    event: 'signalled',
    level: 'info',
    message: `sent ${found.target.sent.join(', ')} to ${found.target.description}`,
    signal: found.target.sent.join(','),
    strategy: processConfig.signal,
    pid: found.pid,
    pidFile: label,
  })
}
