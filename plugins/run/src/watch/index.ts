/**
 * `bella run --watch`: bella stays as a supervisor, polls for changes and restarts (or signals)
 * the command when the secrets it sees change. Loaded only when --watch is given, so plain
 * `bella run` never pays for it. Node built-ins only.
 *
 * The pieces: run-service prepares the first set and environment; core's Supervisor runs one child
 * at a time, forwards signals and owns the exit code across restarts; the signal strategy (from the
 * registry: restart, sighup, or a plugin's) acts on a SignalTarget backed by the Supervisor; the
 * WatchLoop decides when.
 */
import {
  createApiClient,
  describeWithheld,
  getAllEnvironmentSecrets,
  getEnvironmentSecretsVersion,
  generalError,
  loadDeviceKey,
  resolveDeviceKey,
  Supervisor,
  checkSpawnSize,
  exitOnTerminatingSignals,
  forgetOnRefusal,
  saveQuietly,
  spawnSizeError,
  snapshotVaults,
  redactError,
  type ChildProcessHandle,
  type Redactor,
  type ChildSpec,
  type OutputMask,
  type SignalDefinition,
  type SignalTarget,
} from '@bella/core/runtime'
import {childEnvFor, outputMaskFor, prepareRun, redactorFor, type RunOptions} from '../run-service.js'
import {WatchLoop, systemTimers, type SecretSet, type Timers} from './loop.js'
import {describeNames, formatDuration, WATCH, type Env, type WatchSettings} from './policy.js'

export {watchSettings, WATCH} from './policy.js'
export type {WatchSettings} from './policy.js'

const STOPPING = new Set<NodeJS.Signals>(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'])

export interface WatchRunOptions extends RunOptions, WatchSettings {
  /** The strategy for a change, resolved from the registry (`--signal`). */
  signal: SignalDefinition
  /** A line on stderr, always printed (changes, restarts, API trouble). */
  say: (message: string) => void
  /** A line on stderr with --verbose only. */
  debug: (message: string) => void
  timers?: Timers
}

/** Runs the command under --watch; resolves with bella's exit code. */
export async function runWatch(options: WatchRunOptions): Promise<number> {
  // Released right before the first child starts (the Supervisor then handles signals).
  const releaseEarlySignals = exitOnTerminatingSignals()
  const prepared = await prepareRun(options)
  const {session, target} = prepared
  const project = target.project.value
  const environment = target.environment.value
  const timers = options.timers ?? systemTimers
  const strategy = options.signal.create()
  const stopping = new AbortController()

  // Polls get their own client: few retries (the loop backs off instead), a shorter timeout, and
  // requests that end when bella does. Same server, credentials, app name and device key.
  const deviceKey = resolveDeviceKey(options.session.env)
  const api = createApiClient({
    baseUrl: session.api.baseUrl,
    credentials: session.api.credentials,
    appClient: session.settings.app?.value,
    deviceKey: deviceKey ? loadDeviceKey(deviceKey.value, deviceKey.origin) : undefined,
    timeoutMs: WATCH.requestTimeoutMs,
    retry: {retries: WATCH.requestRetries, baseDelayMs: WATCH.requestRetryBaseMs, maxDelayMs: WATCH.requestRetryBaseMs, maxRetryAfterMs: 5_000},
    signal: stopping.signal,
  })

  // The offline snapshot: written after every live fetch, deleted when the key is refused.
  const {vault, refusal: refusalVault} = options.fallback ? snapshotVaults(session, options.fallback, options.warn) : {}
  const snapshotTarget = {project, environment}
  // One write at a time, in fetch order: an older set must never land after a newer one.
  let saving = prepared.saveSnapshot()
  let onSnapshot = prepared.fromSnapshot !== undefined
  const refused = (error: unknown): never => {
    forgetOnRefusal(refusalVault, error, options.warn)
    throw error
  }

  // Each environment's secret values, redacted from whatever Node says if it cannot be started.
  const redactors = new WeakMap<Env, Redactor>([[prepared.env, prepared.redact]])
  // And what each restarted child's output is masked with (--mask): its environment's values.
  const masks = new WeakMap<Env, OutputMask | undefined>([[prepared.env, outputMaskFor(options, prepared.fetched.secrets)]])
  const spec = (env: Env): ChildSpec => ({
    command: options.command,
    args: options.args,
    env: {...env},
    ownProcessGroup: options.ownProcessGroup,
    redact: redactors.get(env) ?? prepared.redact,
    mask: masks.get(env) ?? masks.get(prepared.env),
  })
  const starts = new WeakMap<ChildProcessHandle, {at: number; byWatch: boolean}>()
  const signalled = new WeakSet<ChildProcessHandle>()
  let loop: WatchLoop | undefined
  const supervisor = new Supervisor({
    warn: options.warn,
    killTimeoutMs: options.killTimeoutMs,
    onSignal: (event) => {
      // A stopping signal the user sent bella reached the child: its exit was asked for, not a crash.
      if (event.child && event.action !== 'no-child' && STOPPING.has(event.signal)) signalled.add(event.child)
    },
    keepGoingAfterExit: (exit, child) => {
      const start = starts.get(child)
      return (
        loop?.childExited({
          exitCode: exit.exitCode,
          uptimeMs: start ? timers.now() - start.at : Number.POSITIVE_INFINITY,
          startedByWatch: start?.byWatch ?? false,
          signalled: signalled.has(child),
        }) ?? false
      )
    },
  })

  // Recorded right after start() resolves, before any exit event of the new child can be seen.
  const startChild = async (env: Env, byWatch: boolean): Promise<ChildProcessHandle> => {
    releaseEarlySignals()
    const handle = await supervisor.start(spec(env))
    starts.set(handle, {at: timers.now(), byWatch})
    return handle
  }

  // What a restart starts the command with: set by the loop just before it calls the strategy.
  let nextEnv: Env = prepared.env
  /**
   * Throws (a 126 naming the variable and its size) when `env` cannot be exec'd: checked before
   * the running child is stopped, so a value too large for an environment never leaves the
   * service down. The loop reports the error and keeps watching; the child keeps running.
   */
  const assertSpawnable = (env: Env) => {
    const problem = checkSpawnSize({command: options.command, args: options.args, env})
    if (problem) throw spawnSizeError(problem, options.command)
  }
  const signalTarget: SignalTarget = {
    get description() {
      const pid = supervisor.current?.pid
      return pid === undefined ? 'the command (not running)' : `the command (pid ${pid})`
    },
    async kill(signal) {
      return supervisor.signal(signal)
    },
    async restart() {
      if (supervisor.shuttingDown) return
      assertSpawnable(nextEnv)
      const old = supervisor.current
      // SIGTERM, up to --kill-timeout for it to exit, SIGKILL; then the same command with the new
      // environment. A SIGINT/SIGTERM bella gets meanwhile ends everything: no new child.
      const handle = await supervisor.restart(spec(nextEnv), {killTimeoutMs: options.killTimeoutMs})
      if (!handle) return
      if (old?.exitStatus?.signal === 'SIGKILL') {
        options.say(`bella: pid ${old.pid} did not exit within ${formatDuration(options.killTimeoutMs)} of SIGTERM and was killed (SIGKILL)`)
      }
      starts.set(handle, {at: timers.now(), byWatch: true})
      options.say(`bella: restarted the command (pid ${handle.pid})`)
    },
  }

  let lastWithheld = describeWithheld(prepared.withheld, {allowFlag: '--allow-reserved-env'})
  const fetchSet = async (): Promise<SecretSet> => {
    const fetched = await getAllEnvironmentSecrets(api, project, environment).catch(refused)
    if (vault) saving = saving.then(() => saveQuietly(vault, snapshotTarget, fetched, Date.now(), options.warn))
    if (onSnapshot) {
      onSnapshot = false
      options.say(`bella: the Bella API at ${session.api.baseUrl} answers; switching from the offline snapshot to live secrets (version ${fetched.version})`)
    }
    const {env, withheld} = childEnvFor(options, fetched.secrets, fetched.sealed)
    redactors.set(env, redactorFor(fetched.secrets))
    masks.set(env, outputMaskFor(options, fetched.secrets))
    const warning = describeWithheld(withheld, {allowFlag: '--allow-reserved-env'})
    if (warning && warning !== lastWithheld) options.warn(warning)
    lastWithheld = warning
    options.debug(`fetched version ${fetched.version} (${Object.keys(fetched.secrets).length + fetched.sealed.length - withheld.length} secrets)`)
    return {version: fetched.version, lastModified: fetched.lastModified, env}
  }

  loop = new WatchLoop(
    {
      pollIntervalMs: options.pollIntervalMs,
      timers,
      async checkVersion() {
        const answer = await getEnvironmentSecretsVersion(api, project, environment).catch(refused)
        if (typeof answer?.version !== 'number') {
          throw generalError(`The Bella API answered the version check for ${project}/${environment} without a version`, {
            code: 'api_invalid_response',
          })
        }
        return {version: answer.version, lastModified: typeof answer.lastModified === 'string' ? answer.lastModified : undefined}
      },
      fetch: fetchSet,
      async deliver(set, changed) {
        nextEnv = set.env
        // A command that is not restarted (sighup, plugins) may learn the new values from files
        // an agent keeps fresh: its output is masked with them as well as the values it started with.
        supervisor.current?.maskAlso(masks.get(set.env)?.values ?? [])
        // Before announcing a restart that cannot happen (restart() checks again, for plugins).
        if (options.signal.name === 'restart') assertSpawnable(set.env)
        const pid = supervisor.current?.pid
        const what = `bella: secrets changed (version ${set.version}, ${describeNames(changed)})`
        if (options.signal.name === 'restart') options.say(`${what}; restarting the command (pid ${pid})`)
        else if (options.signal.name === 'sighup') options.say(`${what}; sending SIGHUP to the command (pid ${pid})`)
        else options.say(`${what}; applying signal strategy "${options.signal.name}" to the command (pid ${pid})`)
        await strategy.notify(signalTarget)
      },
      async startAgain(set) {
        nextEnv = set.env
        if (supervisor.shuttingDown || supervisor.current) return
        const handle = await startChild(set.env, true)
        options.say(`bella: started the command again (pid ${handle.pid})`)
      },
      credential: session.api.credentials?.kind === 'bearer' ? 'bearer' : 'api-key',
      childRunning: () => supervisor.current !== undefined,
      shuttingDown: () => supervisor.shuttingDown,
      say: options.say,
      debug: options.debug,
    },
    // Started from a snapshot: a marker no answer can match, so the first poll that gets through
    // fetches the live secrets (and restarts or signals only if they differ).
    prepared.fromSnapshot
      ? {version: -1, lastModified: 'offline snapshot', env: prepared.env}
      : {version: prepared.fetched.version, lastModified: prepared.fetched.lastModified, env: prepared.env},
  )

  try {
    await startChild(prepared.env, false)
  } catch (error) {
    throw redactError(error, prepared.redact)
  }
  options.debug(
    `watching ${project}/${environment} for changes every ${formatDuration(options.pollIntervalMs)} (version ${prepared.fetched.version}); on a change: ${options.signal.name}`,
  )
  loop.start()
  try {
    return await supervisor.wait()
  } catch (error) {
    throw redactError(error, spec(nextEnv).redact!)
  } finally {
    loop.stop()
    stopping.abort()
    supervisor.dispose()
    await saving
  }
}
