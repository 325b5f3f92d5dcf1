/**
 * A clock for long simulated runs against real I/O: time moves only when a timer is due, and a
 * fired timer's work may take real time (an HTTP request to the emulator, a file write). It serves
 * both the run loop's `Timers` and the agent's `AgentTimers`, and records the most timers ever
 * pending at once, so a soak test can assert they never pile up.
 */
import type {AgentTimers} from '../../plugins/agent/src/agent.js'
import type {Timers} from '../../plugins/run/src/watch/loop.js'

interface Entry {
  at: number
  id: number
  callback: () => void
}

export class SteppingClock implements Timers, AgentTimers {
  private t = 0
  private nextId = 1
  private readonly pending = new Map<number, Entry>()
  private wake: (() => void) | undefined
  /** The most timers pending at once so far. */
  maxPending = 0
  /** Timers fired so far. */
  fired = 0

  now(): number {
    return this.t
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.pending.set(id, {at: this.t + Math.max(0, ms), id, callback})
    this.maxPending = Math.max(this.maxPending, this.pending.size)
    this.wake?.()
    return id
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  set(callback: () => void, ms: number): unknown {
    return this.setTimeout(callback, ms)
  }

  clear(handle: unknown): void {
    this.clearTimeout(handle)
  }

  get pendingCount(): number {
    return this.pending.size
  }

  /**
   * Fires timers in time order until the clock reaches `end`. After each one it awaits `idle`
   * (the work the timer started, e.g. the agent's queue), so time never jumps ahead of work still
   * in flight, and then waits (real time, at most `idleMs`) until some timer is armed: a loop that
   * stops arming is an error, not a hang.
   */
  async runUntil(end: number, idle: () => Promise<void> = async () => {}, idleMs = 10_000): Promise<void> {
    while (this.t < end) {
      await idle()
      if (this.pending.size === 0) await this.armed(idleMs)
      const due = [...this.pending.values()].reduce((a, b) => (b.at < a.at || (b.at === a.at && b.id < a.id) ? b : a))
      if (due.at > end) break
      this.pending.delete(due.id)
      this.t = due.at
      this.fired++
      due.callback()
    }
    this.t = Math.max(this.t, end)
  }

  private armed(idleMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined
        reject(new Error(`nothing armed a timer within ${idleMs} ms (at ${this.t} ms simulated)`))
      }, idleMs)
      this.wake = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
    })
  }
}
