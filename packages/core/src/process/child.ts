import type {ChildProcess, StdioOptions} from 'node:child_process'
import {statSync} from 'node:fs'
import type {Readable, Writable} from 'node:stream'
import {BellaError, generalError} from '../errors.js'
import {type ChildExit, toChildExit} from './exit.js'
import {checkSpawnSize, spawnSizeError} from './limits.js'
import {resolveCommand} from './resolve.js'
import type {MaskedRelays} from './mask/relay.js'

export const DEFAULT_KILL_TIMEOUT_MS = 10_000

export interface ChildSpec {
  /** The program as the user typed it; resolved like execvp against `env.PATH` (see resolveCommand). */
  command: string
  args?: readonly string[]
  /** The complete environment of the child (see buildChildEnv). Nothing is inherited implicitly. */
  env: Record<string, string>
  cwd?: string
  /** Default 'inherit': the child owns the terminal's stdin/stdout/stderr. */
  stdio?: StdioOptions
  /**
   * Start the child in a new session and process group (setsid) and signal the whole group, so a
   * stop also reaches grandchildren (`sh -c`, npm scripts). Off by default: the child then loses
   * the controlling terminal (no job control, `/dev/tty` fails), which breaks interactive programs.
   * Worth turning on when no terminal is involved (containers without -t, CI).
   */
  ownProcessGroup?: boolean
  /**
   * Applied to every message taken from Node when the child cannot be started (Node quotes
   * offending environment values): a redactor that knows the secret values (see createRedactor).
   */
  redact?: (text: string) => string
  /**
   * Mask these secret values in the child's output (`bella run --mask`): the streams chosen become
   * pipes relayed to bella's own through core's masker (loaded only then); stdin stays inherited.
   * Overrides `stdio`. `exited` then also waits for the relayed output to be written out.
   */
  mask?: OutputMask
}

/** Which of the child's output streams to mask, and the values to mask in them. */
export interface OutputMask {
  stdout: boolean
  stderr: boolean
  values: readonly string[]
}

export interface StopOptions {
  /** First signal, default SIGTERM. */
  signal?: NodeJS.Signals
  /** Grace period before SIGKILL, default 10 s. `Infinity` never escalates. */
  killTimeoutMs?: number
}

/** One started child process. Create with `ChildProcessHandle.start`. */
export class ChildProcessHandle {
  readonly pid: number
  readonly command: string
  /** Absolute path of the program that was executed. */
  readonly path: string
  readonly ownProcessGroup: boolean
  /** Resolves once, when the child has exited and been reaped. Never rejects. */
  readonly exited: Promise<ChildExit>
  /** Set by stop(): the coming exit was asked for (e.g. a --watch restart), not the child's own doing. */
  stopRequested = false
  /**
   * Set once SIGINT/SIGTERM was sent to the child (forwarded, or by stop()). A further SIGINT/SIGTERM
   * sent to bella then means "stop waiting" and becomes SIGKILL.
   */
  terminating = false
  /**
   * When (performance.now()) the terminal last delivered a Ctrl-C to the child itself. A second
   * Ctrl-C soon after means "stop waiting" (see SignalForwardingOptions.secondInterruptWindowMs).
   */
  interruptedAt: number | undefined
  private status: ChildExit | undefined

  private constructor(
    private readonly child: ChildProcess,
    spec: ChildSpec,
    path: string,
    private readonly relays?: MaskedRelays,
  ) {
    this.pid = child.pid as number
    this.command = spec.command
    this.path = path
    this.ownProcessGroup = spec.ownProcessGroup === true
    this.exited = new Promise((resolve) => {
      // 'exit', not 'close': with inherited stdio there are no pipes to drain, and with pipes a
      // grandchild holding them open must not keep us waiting after the child itself is gone.
      child.once('exit', (code, signal) => {
        const status = toChildExit(code, signal)
        this.status = status
        // Masked output still in the pipes is written out before the exit counts (never rejects).
        if (relays) void relays.finish().then(() => resolve(status))
        else resolve(status)
      })
    })
  }

  /**
   * Resolve the command, spawn it (no shell) and wait until the OS has started it.
   * @throws BellaError `notFound` (127) or `cannotExecute` (126) when it cannot be started, also
   *   when its environment is too large to exec (naming the variable, see checkSpawnSize).
   */
  static async start(spec: ChildSpec): Promise<ChildProcessHandle> {
    const path = resolveCommand(spec.command, spec.env.PATH, {cwd: spec.cwd})
    const tooLarge = checkSpawnSize({command: spec.command, args: spec.args, env: spec.env})
    if (tooLarge) throw spawnSizeError(tooLarge, spec.command)
    // Imported here, not at top level: node:child_process costs ~3 ms and core's entry is on
    // every command's start-up path.
    const {spawn} = await import('node:child_process')
    const mask = spec.mask && (spec.mask.stdout || spec.mask.stderr) ? spec.mask : undefined
    const relayModule = mask ? await import('./mask/relay.js') : undefined
    let child: ChildProcess
    try {
      child = spawn(path, spec.args ?? [], {
        argv0: spec.command, // the program sees argv[0] as typed, as with a shell
        cwd: spec.cwd,
        env: spec.env,
        stdio: mask ? ['inherit', mask.stdout ? 'pipe' : 'inherit', mask.stderr ? 'pipe' : 'inherit'] : (spec.stdio ?? 'inherit'),
        detached: spec.ownProcessGroup === true,
      })
    } catch (error) {
      // Refused before any process existed: invalid options (a value Node will not pass) or an
      // error libuv reports at once (E2BIG). Either way Node's message may quote a value.
      throw spawnError(error as NodeJS.ErrnoException, spec, path)
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', (error) => reject(spawnError(error, spec, path)))
    })
    // Later 'error' events (a failed kill) must not become uncaught exceptions; signal() reports them.
    child.on('error', () => {})
    const relays =
      mask &&
      relayModule?.relayMaskedOutput({stdout: child.stdout, stderr: child.stderr}, mask.values, {
        // The child itself, as the kernel signals the writer of a closed pipe; never a reaped pid.
        onDestinationClosed: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGPIPE')),
      })
    return new ChildProcessHandle(child, spec, path, relays || undefined)
  }

  /** With a masked output (`mask`), masks these values too from now on; otherwise nothing. */
  maskAlso(values: readonly string[]): void {
    this.relays?.add(values)
  }

  /** The child's pipes when `stdio` asked for them (tests, capture); null with 'inherit'. */
  get stdin(): Writable | null {
    return this.child.stdin
  }

  get stdout(): Readable | null {
    return this.child.stdout
  }

  get stderr(): Readable | null {
    return this.child.stderr
  }

  /** The exit status once the child has exited, else `undefined`. */
  get exitStatus(): ChildExit | undefined {
    return this.status
  }

  /**
   * Send a signal to the child (to its process group with `ownProcessGroup`). Returns false when
   * the child has already exited (we never signal a reaped pid: it may have been reused).
   */
  signal(signal: NodeJS.Signals): boolean {
    if (this.status) return false
    if (signal === 'SIGINT' || signal === 'SIGTERM') this.terminating = true
    if (!this.ownProcessGroup) return this.child.kill(signal)
    try {
      process.kill(-this.pid, signal)
      return true
    } catch {
      return false
    }
  }

  /**
   * Ask the child to stop: send `signal` (SIGTERM), wait up to `killTimeoutMs`, then SIGKILL.
   * Resolves with the exit status once the child is gone.
   */
  async stop(options: StopOptions = {}): Promise<ChildExit> {
    if (this.status) return this.status
    this.stopRequested = true
    this.signal(options.signal ?? 'SIGTERM')
    const timeout = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS
    const timer = Number.isFinite(timeout) ? setTimeout(() => this.signal('SIGKILL'), Math.max(0, timeout)) : undefined
    try {
      return await this.exited
    } finally {
      if (timer) clearTimeout(timer)
    }
  }
}

function spawnError(error: NodeJS.ErrnoException, spec: ChildSpec, path: string): BellaError {
  // resolveCommand already vetted `path`; what is left is a missing working directory, a missing
  // #! interpreter (ENOENT, like a shell: 127), or an exec-time refusal (126).
  if (error.code === 'ENOENT' && spec.cwd !== undefined && !isDirectory(spec.cwd)) {
    return generalError(`Cannot start ${spec.command}: working directory ${spec.cwd} does not exist.`, {
      code: 'cwd_not_found',
      cause: error,
    })
  }

  if (error.code === 'ENOENT') {
    return new BellaError('notFound', `Cannot start ${spec.command}: ${path} exists, but its interpreter (#! line) was not found.`, {
      code: 'command_not_found',
      suggestions: [`Check the first line of ${path}.`],
      cause: error,
    })
  }

  if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'ENOEXEC' || error.code === 'EISDIR') {
    return new BellaError('cannotExecute', `Cannot execute ${spec.command} (${path}): ${error.code}.`, {
      code: 'command_not_executable',
      suggestions: [`Check the file's permissions and format (\`ls -l ${path}\`).`],
      cause: error,
    })
  }

  if (error.code === 'E2BIG') {
    // checkSpawnSize let it through (a smaller stack limit than usual): still a 126, with the hint.
    return new BellaError('cannotExecute', `Cannot start ${spec.command}: its arguments and environment are too large for the system (E2BIG).`, {
      code: 'environment_too_large',
      suggestions: [
        'keep large values out of the environment: have `bella agent` write them to a file (dotenv, json or yaml sink) and let the program read that file',
      ],
    })
  }

  // Node's message may quote the environment (ERR_INVALID_ARG_VALUE shows the value): redacted,
  // and not attached as the cause.
  const redact = spec.redact ?? ((text: string) => text)
  return generalError(`Cannot start ${spec.command}: ${redact(error.message)}`, {code: 'spawn_failed'})
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
