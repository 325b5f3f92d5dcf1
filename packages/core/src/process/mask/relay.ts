import type {Readable, Writable} from 'node:stream'
import {MaskDictionary, StreamMasker} from './masker.js'

/**
 * After the command exits, how long its output pipes may stay silent before bella stops reading
 * them: a background process it left behind can hold them open for ever.
 */
export const OUTPUT_IDLE_AFTER_EXIT_MS = 500
/**
 * And how long after the exit bella relays at most: a background process that keeps writing is
 * never silent for long, and without --mask bella would have exited with the command. What the
 * command itself left in a pipe (64 KiB at most) takes far less.
 */
export const OUTPUT_MAX_AFTER_EXIT_MS = 2000

export interface MaskedRelays {
  /** Resolves when every relayed pipe has ended (or stayed silent for the idle bound after exit). */
  finish(): Promise<void>
  /**
   * Masks these values too from now on: ones the command may learn while it runs (bella run
   * --watch --signal sighup, whose command reloads from files an agent keeps fresh).
   */
  add(values: Iterable<string>): void
}

export interface RelayOptions {
  /**
   * Called when bella's stdout or stderr is found closed (`| head -1`), before the child's pipe is
   * closed. Node's child pipes are socket pairs: closing one with unread data makes the writer's
   * next write fail with ECONNRESET, where a closed pipe would have raised SIGPIPE. The caller
   * sends the child SIGPIPE, so it ends as it would have writing to the closed pipe itself.
   */
  onDestinationClosed: () => void
  destinations?: {stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream}
}

/**
 * Copies the child's piped stdout/stderr to bella's own, masking the secret values on the way.
 * Back-pressure is kept (a slow reader of bella's output slows the command, as a plain pipe would),
 * and when bella's stdout or stderr is closed, bella stops reading that pipe and closes it.
 */
export function relayMaskedOutput(
  pipes: {stdout: Readable | null; stderr: Readable | null},
  values: Iterable<string>,
  options: RelayOptions,
): MaskedRelays {
  const known = new Set(values)
  const dictionary = MaskDictionary.fromValues(known)
  const destinations = options.destinations ?? {stdout: process.stdout, stderr: process.stderr}
  const relays: Relay[] = []
  const closed = options.onDestinationClosed
  if (pipes.stdout) relays.push(new Relay(pipes.stdout, destinations.stdout, new StreamMasker(dictionary), closed))
  if (pipes.stderr) relays.push(new Relay(pipes.stderr, destinations.stderr, new StreamMasker(dictionary), closed))
  return {
    finish: async () => void (await Promise.all(relays.map((relay) => relay.finish()))),
    add(more) {
      const before = known.size
      for (const value of more) known.add(value)
      if (known.size === before) return
      const grown = MaskDictionary.fromValues(known)
      for (const relay of relays) relay.masker.use(grown)
    },
  }
}

class Relay {
  private readonly ended: Promise<void>
  private settle!: () => void
  private done = false
  private lastProgress = Date.now()
  /** A slow reader of bella's output is no idle pipe: the command's output is still on its way. */
  private waitingForDrain = false

  constructor(
    private readonly source: Readable,
    private readonly destination: NodeJS.WritableStream,
    readonly masker: StreamMasker,
    private readonly onDestinationClosed: () => void,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve))
    source.on('data', this.onData)
    source.once('end', this.onEnd)
    // A pipe error (EIO from a vanished reader) ends this relay like an end of stream.
    source.once('error', this.onEnd)
    destination.on('error', this.onDestinationError)
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastProgress = Date.now()
    // Closed before this relay started (an earlier --watch child saw the EPIPE): no error comes again.
    if ((this.destination as Writable).destroyed) return this.onDestinationError()
    const masked = this.masker.write(chunk)
    if (masked.length === 0 || this.destination.write(masked)) return
    this.waitingForDrain = true
    this.source.pause()
    this.destination.once('drain', this.onDrain)
  }

  private readonly onDrain = (): void => {
    this.lastProgress = Date.now()
    this.waitingForDrain = false
    if (!this.done) this.source.resume()
  }

  private readonly onEnd = (): void => {
    if (this.done) return
    const rest = this.masker.end()
    if (rest.length > 0) this.destination.write(rest)
    this.close()
  }

  /** bella's stdout/stderr is gone: stop reading, so the command's next write fails as it would. */
  private readonly onDestinationError = (): void => {
    if (this.done) return
    this.close()
    this.onDestinationClosed()
    this.source.destroy()
  }

  private close(): void {
    this.done = true
    this.source.off('data', this.onData)
    this.destination.off('error', this.onDestinationError)
    this.destination.off('drain', this.onDrain)
    this.settle()
  }

  /** Waits for the end of the pipe; one left open but silent, or still busy 2 s after the exit, is let go. */
  async finish(): Promise<void> {
    const exitedAt = Date.now()
    const timer = setInterval(() => {
      if (this.done) return
      const busy = this.waitingForDrain || Date.now() - this.lastProgress < OUTPUT_IDLE_AFTER_EXIT_MS
      if (busy && Date.now() - exitedAt < OUTPUT_MAX_AFTER_EXIT_MS) return
      this.onEnd()
      this.source.destroy()
    }, OUTPUT_IDLE_AFTER_EXIT_MS / 5)
    try {
      await this.ended
    } finally {
      clearInterval(timer)
    }
  }
}
