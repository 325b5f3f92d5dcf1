/**
 * bella's own output must never kill it. When the reader of its stdout or stderr goes away (a
 * closed pipe, `bella run … 2>&1 | head -1`), the next write fails with EPIPE, which Node raises
 * as an 'error' event; with no listener that is an uncaught exception, and bella would exit 1
 * mid-supervision: `run` orphaning its command, `--watch` never restarting it, the agent dying
 * without writing. A message that cannot be shown is lost, nothing more: bella carries on.
 *
 * Installed first thing at start-up (src/fast-path.ts, before any command is chosen). Its own
 * package entry so that the start-up path pays for no other module.
 */

const GUARDED = Symbol.for('bella.outputStreamGuard')

/** Ignores write errors (EPIPE and any other) on bella's own stdout and stderr. Idempotent. */
export function keepOutputErrorsFromStoppingBella(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    const marked = stream as NodeJS.WritableStream & {[GUARDED]?: true}
    if (marked[GUARDED]) continue
    marked[GUARDED] = true
    stream.on('error', () => {})
  }
}
