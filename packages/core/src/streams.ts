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

/**
 * Ignores write errors (EPIPE and any other) on bella's own stdout and stderr, or on `streams`.
 * Idempotent. process.stdout and process.stderr are guarded as Node creates them (on first use):
 * creating them costs ~1.5 ms, and `bella run` whose command writes straight to the inherited
 * descriptors never uses them.
 */
export function keepOutputErrorsFromStoppingBella(streams?: NodeJS.WritableStream[]): void {
  if (streams) {
    for (const stream of streams) guard(stream)
    return
  }
  for (const name of ['stdout', 'stderr'] as const) guardWhenCreated(name)
}

function guard(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  const marked = stream as NodeJS.WritableStream & {[GUARDED]?: true}
  if (marked[GUARDED]) return stream
  marked[GUARDED] = true
  stream.on('error', () => {})
  return stream
}

/** Wraps Node's lazy getter of process[name] so the stream is guarded before anyone can write to it. */
function guardWhenCreated(name: 'stdout' | 'stderr'): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name)
  const create = descriptor?.get
  if (!create || !descriptor.configurable) {
    guard(process[name])
    return
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable ?? true,
    get: () => guard(create.call(process) as NodeJS.WritableStream),
  })
}
