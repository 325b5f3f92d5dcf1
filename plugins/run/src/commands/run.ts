import {homedir} from 'node:os'
import {Flags} from '@oclif/core'
import {BellaCommand, childNeedsOwnProcessGroup, commandLine, connectionFlags, escapeControls, fallbackFlags, fallbackOptionsFrom, loadRegistries, parseCommandFlags, sessionInputFrom, targetFlags, usageError} from '@bella/core'
import {maskStreamsFor} from '../mask-option.js'
import {runWithSecrets, type RunOptions} from '../run-service.js'
import type {RunExplanation} from '../explain-run.js'

/** Flags that mean something only with --watch. */
const WATCH_ONLY = ['poll-interval', 'signal', 'kill-timeout'] as const

export default class Run extends BellaCommand {
  static override summary = "Run a command with the environment's secrets as environment variables."
  static override description = [
    "The command is started directly (no shell) with the secrets overlaid on bella's own environment. Its exit status becomes bella's (128+N when it dies from signal N), and signals sent to bella are forwarded to it. bella's own messages go to stderr only.",
    'With --watch, bella stays as a supervisor. Every --poll-interval seconds (default 30, minimum 5; jitter only shortens the wait, to 80-100 %) it asks the API for the environment\'s version, one small request. Only when the version moved does it fetch the secrets, and only when what the command would see differs does it act: with --signal restart (the default) it sends SIGTERM, waits up to --kill-timeout seconds (default 10), sends SIGKILL, and starts the command again with the new secrets; with --signal sighup it sends SIGHUP to the running command (same pid: its environment cannot change).',
    'A burst of edits causes one action (bella waits 0.5 s and looks again, at most twice), and actions are limited to one per 10 s: a change that arrives sooner is applied when the 10 s are up, with the newest secrets. A command that exits non-zero within 10 s of a watch restart is started again after 1 s, 2 s, then 4 s; after 3 such restarts bella gives up and exits with its status.',
    'With --explain, bella fetches the secrets and prints, on stderr, what the command would get instead of starting it: each name and the provider it came from, names several providers hold and which one won, names withheld and the flag that lets them through, secrets that replace a variable bella inherited, and the size of the environment against the OS limit. Never a value; nothing is started, and no sink or snapshot is written. Add --json for the same as data on stdout.',
    'If the API fails, the command keeps running on the secrets it has: bella says so once, checks again after the interval, doubling the wait up to 5 minutes, and says when the API answers again. When the command exits by itself, bella exits with its status. Unless bella runs at an interactive terminal, the command gets a process group of its own: a signal sent to the whole group of bella (timeout, CI runners, kill -- -PGID) reaches it once, and a forwarded signal, a stop or a restart also reaches its children.',
    'Offline fallback: after each successful fetch with an API key, bella writes an encrypted snapshot of the secrets (AES-256-GCM, key derived from the API key\'s secret) under $XDG_CACHE_HOME/bella/snapshots (~/.cache/bella/snapshots). When the API is unreachable or failing (exit 4), bella uses a snapshot younger than --max-stale (default 24h) and says so; a 401/403 deletes the key\'s snapshots. With --watch, bella switches to live secrets as soon as the API answers.',
  ].join('\n\n')

  static override usage = [
    'run [-p <project>] [-e <environment>] [--app <name>] [--[no-]mask] [--max-stale D] [--fallback-only] [--watch [--poll-interval S] [--signal restart|sighup] [--kill-timeout S]] -- CMD [ARGS...]',
    'run [-p <project>] [-e <environment>] --explain [--json] -- CMD [ARGS...]',
  ]

  static override examples = [
    '<%= config.bin %> run -- node server.js',
    '<%= config.bin %> run -p shop -e production -- ./migrate.sh --dry-run',
    '<%= config.bin %> run --mask -- npm test',
    '<%= config.bin %> run --watch -- node server.js',
    '<%= config.bin %> run --explain -- node server.js',
    '<%= config.bin %> run --max-stale 7d -- node server.js',
    '<%= config.bin %> run --watch --poll-interval 10 --signal sighup -- ./nginx -g "daemon off;"',
  ]

  static override enableJsonFlag = true
  // Everything after `--` is the command and its arguments, untouched.
  static override strict = false

  static override flags = {
    ...targetFlags,
    ...connectionFlags,
    ...fallbackFlags,
    'pass-credentials': Flags.boolean({
      description: "Also pass bella's own BELLA_BAXTER_API_KEY / BELLA_BAXTER_ACCESS_TOKEN / BELLA_BAXTER_PRIVATE_KEY to the command.",
      default: false,
    }),
    'allow-reserved-env': Flags.boolean({
      description: 'Inject secrets named like loader variables (PATH, NODE_OPTIONS, LD_*, …) instead of withholding them.',
      default: false,
    }),
    explain: Flags.boolean({
      description: 'Print which secrets the command would get, from which provider, and what is withheld or overridden (names only, on stderr); do not start it. It asks the API, never the offline snapshot.',
      default: false,
      exclusive: ['watch', 'fallback-only'],
    }),
    mask: Flags.boolean({
      description:
        "Replace secret values (over 3 characters) in the command's stdout and stderr with *****. On by default when CI=true, except on a stream that is a terminal; an explicit --mask masks terminals too (the command then writes to a pipe).",
      allowNo: true,
    }),
    watch: Flags.boolean({
      description: 'Keep running: check for secret changes and restart (or signal) the command when they change.',
      default: false,
      helpGroup: 'WATCH',
    }),
    // No oclif defaults on the three below: a value given without --watch must be noticed, not
    // silently ignored. Defaults live in the watch module (WATCH).
    'poll-interval': Flags.integer({
      description: 'Seconds between checks for changes (default 30, minimum 5).',
      helpValue: 'S',
      helpGroup: 'WATCH',
    }),
    signal: Flags.string({
      description: 'What to do on a change: restart (default) or sighup; plugins can add more.',
      helpValue: 'restart|sighup',
      helpGroup: 'WATCH',
    }),
    'kill-timeout': Flags.integer({
      description: 'Seconds a restart waits after SIGTERM before SIGKILL (default 10).',
      helpValue: 'S',
      helpGroup: 'WATCH',
    }),
  }

  async run(): Promise<RunExplanation | void> {
    const {flags, argv} = await parseCommandFlags(this.argv, 'run', () => this.parse(Run))
    // oclif re-sorts non-strict argv (`-e dev -- node -e 1` would run `-e`): take it as typed.
    const [command, ...args] = commandLine(this.argv, argv as string[], 'run')
    if (!flags.watch) {
      const stray = WATCH_ONLY.filter((name) => flags[name] !== undefined)
      if (stray.length > 0) {
        throw usageError(`${stray.map((n) => `--${n}`).join(', ')} only ${stray.length === 1 ? 'applies' : 'apply'} with --watch`, {
          code: 'watch_flag_without_watch',
          suggestions: ['add --watch to keep the command running and react to secret changes, or drop the flag'],
        })
      }
    }

    if (!command) {
      throw usageError('bella run needs a command to run', {suggestions: ['put it after --, e.g. bella run -- node server.js']})
    }

    if (this.jsonEnabled() && !flags.explain) {
      throw usageError('--json only applies to --explain', {suggestions: ["add --explain to get the explanation as JSON, or leave out --json: the command's own output is what run prints"]})
    }

    const verbose = flags.verbose
    const options: RunOptions = {
      session: sessionInputFrom(flags, (m) => this.out.info(m)),
      command,
      args,
      passCredentials: flags['pass-credentials'],
      allowReserved: flags['allow-reserved-env'],
      ownProcessGroup: childNeedsOwnProcessGroup(),
      fallback: fallbackOptionsFrom(flags, process.env, homedir()),
      // An explanation starts nothing: no streams to mask, and no word about terminals left unmasked.
      mask: flags.explain ? undefined : maskStreamsFor(flags.mask, (m) => this.out.warn(m)),
      info: (m) => verbose && this.out.info(m),
      warn: (m) => this.out.warn(m),
    }
    if (flags.explain) {
      // Loaded only here, like the watch code below.
      const {explainRun, renderRunExplanation} = await import('../explain-run.js')
      const result = await explainRun(options)
      if (!this.jsonEnabled()) this.out.info(renderRunExplanation(result, escapeControls(command)).join('\n'))
      return result
    }

    if (!flags.watch) {
      process.exitCode = await runWithSecrets(options)
      return
    }

    // Loaded only here: plain `bella run` never pays for the watch code, the registry or the hooks.
    const {runWatch, watchSettings} = await import('../watch/index.js')
    const settings = watchSettings({pollIntervalS: flags['poll-interval'], killTimeoutS: flags['kill-timeout']})
    const registries = await loadRegistries(this.config, {warn: (m) => this.out.warn(m)})
    const signal = registries.signals.require(flags.signal ?? 'restart', '--signal')
    process.exitCode = await runWatch({
      ...options,
      ...settings,
      signal,
      say: (m) => this.out.info(m),
      debug: (m) => verbose && this.out.info(m),
    })
  }
}
