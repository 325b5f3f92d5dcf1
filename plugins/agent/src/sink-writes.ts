/** Writing one merged set to every sink, in parallel, one log event per sink (never a value). */
import {lstat} from 'node:fs/promises'
import {isAbsolute} from 'node:path'
import {performance} from 'node:perf_hooks'
import type {Secrets} from '@bella/core'
import type {SinkConfig} from './config/load.js'
import type {AgentLog} from './log.js'
import {plural} from './messages.js'

/**
 * Writes `secrets` to every sink. A sink that throws (even synchronously: a third party's) counts
 * as a failed write; with `quiet` (a failing streak already reported) failures are debug events.
 */
export async function writeSinks(
  sinks: readonly SinkConfig[],
  secrets: Secrets,
  log: AgentLog,
  options: {started: number; quiet: boolean; describe: (error: unknown) => string},
): Promise<{written: number; failed: number}> {
  const count = Object.keys(secrets).length
  const results = await Promise.allSettled(sinks.map(async (s) => s.sink.write(secrets)))
  let written = 0
  let failed = 0
  for (const [index, result] of results.entries()) {
    const {sink, type} = sinks[index]!
    const ms = Math.round((performance.now() - options.started) * 10) / 10
    if (result.status === 'fulfilled') {
      if (result.value === 'written') written++
      log.emit({
        event: result.value === 'written' ? 'written' : 'unchanged',
        level: 'info',
        message: result.value === 'written' ? `wrote ${plural(count, 'secret')} to ${sink.target} (${type})` : `${sink.target} unchanged (${type})`,
        sink: type,
        target: sink.target,
        secrets: count,
        ms,
      })
    } else {
      failed++
      log.emit({
        event: 'write-failed',
        // Said once per failing streak; repeats only with --verbose.
        level: options.quiet ? 'debug' : 'error',
        message: `could not write ${sink.target} (${type}): ${options.describe(result.reason)}${await whatStays(sink.target)}`,
        sink: type,
        target: sink.target,
      })
    }
  }
  return {written, failed}
}

/** What a failed write left at `target`: only a regular file there keeps a previous content. */
async function whatStays(target: string): Promise<string> {
  if (!isAbsolute(target)) return ''
  try {
    return (await lstat(target)).isFile() ? '; it keeps its previous content' : ''
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? '; it did not exist and was not created' : ''
  }
}
