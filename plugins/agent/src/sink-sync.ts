/**
 * The agent's write-and-signal step: once every watch has current secrets, merge them (later watch
 * wins), write every sink, commit the staged fetches, and signal the process when some sink's bytes
 * changed. While a watch is failing nothing is written (all-or-nothing); a failed write keeps the
 * fetches staged so the next poll retries, and the signal waits until every sink was written.
 */
import {performance} from 'node:perf_hooks'
import type {AgentConfig, WatchConfig} from './config/load.js'
import type {AgentLog} from './log.js'
import {mergeWatchSecrets} from './merge.js'
import {plural} from './messages.js'
import {notifyProcess} from './notify.js'
import type {PidFileDeps} from './pid-file.js'
import type {ErrorDescriber} from './redaction.js'
import {writeSinks} from './sink-writes.js'
import type {Fetched} from './watch-fetch.js'
import type {WatchFailure} from './watch-health.js'

export interface WatchState {
  config: WatchConfig
  providerSlug?: string
  /** The last marker and secrets that made it into the files. */
  committed?: Fetched
  /** Fetched, not yet written (held while another watch fails, or a write failed). */
  staged?: Fetched
  failure?: WatchFailure
  timer?: unknown
}

export class SinkSync {
  private holding = false
  private writeFailed = false
  private signalOwed = false
  private readonly reportedCollisions = new Set<string>()
  private writing: Promise<unknown> | undefined

  constructor(
    private readonly log: AgentLog,
    private readonly errors: ErrorDescriber,
    private readonly pidFile?: PidFileDeps,
  ) {}

  /** Something is owed to the files: a held or failed write, or a fetch not yet written. */
  owesWrite(watches: readonly WatchState[]): boolean {
    return this.holding || this.writeFailed || watches.some((w) => w.staged)
  }

  /** A reloaded config starts afresh: collisions are reported again, nothing is held. */
  reset(): void {
    this.reportedCollisions.clear()
    this.holding = false
    this.writeFailed = false
  }

  /** Resolves when the write in progress, if any, has ended (stopping waits for it). */
  async settled(): Promise<void> {
    await this.writing?.catch(() => {})
  }

  /** Writes the merged secrets to every sink when every watch has good data; signals after. */
  async sync(config: AgentConfig, watches: readonly WatchState[], stopping: () => boolean): Promise<'written' | 'unchanged' | 'held' | 'failed'> {
    if (stopping()) return 'held'
    const waiting = watches.filter((w) => w.failure || (!w.staged && !w.committed))
    if (waiting.length > 0) {
      if (!this.holding) {
        this.log.emit({
          event: 'held',
          level: 'warn',
          message: `not writing: ${waiting.map((w) => w.config.label).join(', ')} ${waiting.length === 1 ? 'has' : 'have'} no current secrets; the files keep their last good content`,
          watches: waiting.map((w) => w.config.label),
        })
      }
      this.holding = true
      return 'held'
    }
    const releasing = this.holding
    this.holding = false
    const started = performance.now()
    const merged = this.merge(watches)
    const count = Object.keys(merged).length
    let outcome: 'written' | 'unchanged' | 'failed' = 'unchanged'
    const work = (async () => {
      const {written, failed} = await writeSinks(config.sinks, merged, this.log, {
        started,
        quiet: this.writeFailed,
        describe: (error) => this.errors.describe(error),
      })
      if (written > 0) this.signalOwed = true
      if (failed > 0) {
        // Staged data stays staged: the next poll retries; the signal waits for every sink.
        this.writeFailed = true
        outcome = 'failed'
        return
      }
      this.writeFailed = false
      for (const watch of watches) {
        if (watch.staged) watch.committed = watch.staged
        watch.staged = undefined
      }
      outcome = written > 0 ? 'written' : 'unchanged'
      if (this.signalOwed) await this.signal(config)
      this.log.emit({
        event: 'synced',
        level: 'debug',
        message: `${plural(count, 'secret')}: ${written} sink(s) written, ${config.sinks.length - written} unchanged${releasing ? ' (writes resumed)' : ''} in ${Math.round(performance.now() - started)} ms`,
        secrets: count,
        written,
        ms: Math.round((performance.now() - started) * 10) / 10,
      })
    })()
    this.writing = work
    try {
      await work
    } finally {
      if (this.writing === work) this.writing = undefined
    }
    return outcome
  }

  /** Later watches win; case-sensitive; collisions reported once per key, by name only (merge.ts). */
  private merge(watches: readonly WatchState[]): Record<string, string> {
    const sets = watches.map((w) => ({label: w.config.label, secrets: (w.staged ?? w.committed)!.secrets}))
    return mergeWatchSecrets(sets, this.reportedCollisions, this.log)
  }

  private async signal(config: AgentConfig): Promise<void> {
    this.signalOwed = false
    await notifyProcess(config.process, this.log, (error) => this.errors.describe(error), this.pidFile)
  }
}
