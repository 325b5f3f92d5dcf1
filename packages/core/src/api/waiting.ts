/** A request that has had no answer for `afterMs`: `show` once, then `done` when it ends (however). */
export interface Waiting {
  afterMs: number
  show(host: string): void
  done(): void
}

/**
 * Runs `work`, telling `waiting` if it takes longer than `afterMs`. Cheap: one timer per request,
 * cleared on the answer, and unref'd so it never keeps the process alive.
 */
export async function withWaiting<T>(waiting: Waiting | undefined, host: string, work: () => Promise<T>): Promise<T> {
  if (!waiting) return work()
  let shown = false
  const timer = setTimeout(() => {
    shown = true
    waiting.show(host)
  }, waiting.afterMs)
  timer.unref()
  try {
    return await work()
  } finally {
    clearTimeout(timer)
    if (shown) waiting.done()
  }
}
