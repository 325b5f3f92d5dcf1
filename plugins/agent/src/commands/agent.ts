import {homedir} from 'node:os'
import {resolve} from 'node:path'
import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, exitCodeOf, fallbackFlags, fallbackOptionsFrom, isBellaError, loadRegistries, openSession, sessionInputFrom, usageError} from '@bella/core'
import {Agent} from '../agent.js'
import {DEFAULT_CONFIG_FILE} from '../config/load.js'
import {writeStarterConfig} from '../config/starter.js'
import {findStarterTarget} from '../config/starter-target.js'
import {createAgentLog, type LogFormat} from '../log.js'
import type {AgentExplanation} from '../explain-agent.js'
import {AgentSnapshots} from '../offline.js'

export default class AgentCommand extends BellaCommand {
  static override summary = 'Keep secret files in sync with Bella Baxter and tell a process when they change.'
  static override description = `Reads bella-agent.yaml (or -c FILE), validates it, writes every sink (atomically, mode 0600, only when the bytes change), then polls each watch and rewrites the files when its secrets change. If any watch cannot be fetched, no file is rewritten and the last good files stay. After the files changed, the process named by the pid-file is signalled.

With --once --explain, bella fetches every watch and prints on stderr what one pass would write: per watch each name and the provider it came from (and names several providers hold, with the one that won), names two watches define, and the names each sink would hold. Never a value; no file is written and no process signalled. Add --json for the same as data on stdout.

Each environment watch keeps an encrypted offline snapshot of its last fetch (API keys only): when the API is unreachable or failing, the agent uses one younger than --max-stale (default 24h) and says so; a 401/403 deletes them.

SIGHUP reloads the config (an invalid file keeps the running one); SIGTERM/SIGINT stop it cleanly. Events go to stderr, as text or (--log-format json) one JSON object per line; never secret values.

Exit codes: 0 done or stopped, 2 invalid config or flags (or --init finding an existing file), 3 credentials refused, 4 API unreachable.`

  static override usage = ['agent [-c bella-agent.yaml] [--init] [--once] [--log-format text|json]', 'agent [-c bella-agent.yaml] --once --explain [--json]']
  static override examples = [
    '<%= config.bin %> agent --init',
    '<%= config.bin %> agent',
    '<%= config.bin %> agent -c /etc/bella/agent.yaml --once',
    '<%= config.bin %> agent --once --explain',
    '<%= config.bin %> agent --log-format json',
  ]

  static override flags = {
    ...connectionFlags,
    ...fallbackFlags,
    config: Flags.string({char: 'c', description: 'The agent config file.', default: DEFAULT_CONFIG_FILE}),
    init: Flags.boolean({description: 'Write a commented starter config file (never overwrites) and exit.', default: false, exclusive: ['once']}),
    once: Flags.boolean({description: 'Fetch, write, signal once and exit (for init containers).', default: false}),
    explain: Flags.boolean({
      description: 'With --once: print what one pass would write, per watch and sink (names and providers only, on stderr); write nothing, signal nobody. It asks the API, never the offline snapshot.',
      default: false,
      exclusive: ['fallback-only'],
    }),
    'log-format': Flags.option({options: ['text', 'json'] as const, description: 'How events are printed on stderr.', default: 'text' as const})(),
  }

  static override enableJsonFlag = true

  private logFormat: LogFormat | undefined

  async run(): Promise<AgentExplanation | void> {
    const {flags} = await this.parse(AgentCommand)
    this.logFormat = flags['log-format']
    const label = flags.config
    const path = resolve(process.cwd(), label)

    if (flags.init) {
      const target = await findStarterTarget(sessionInputFrom(flags, (message) => this.out.debug(message)))
      await writeStarterConfig(path, label, target)
      const run = label === DEFAULT_CONFIG_FILE ? 'bella agent' : `bella agent -c ${label}`
      const watching = target ? `watching ${target.project}/${target.environment}` : 'with a placeholder project (my-project/production)'
      this.out.info(`wrote ${label} ${watching}; check the paths and process to signal, then run: ${run}`)
      return
    }

    if (flags.explain && !flags.once) {
      throw usageError('--explain only applies with --once', {suggestions: ['add --once: bella agent --once --explain']})
    }
    if (this.jsonEnabled() && !flags.explain) {
      throw usageError('--json only applies to --explain', {suggestions: ['for JSON events on stderr use --log-format json']})
    }

    if (flags.explain) {
      // Loaded only with the flag.
      const {explainAgent, renderAgentExplanation} = await import('../explain-agent.js')
      const warn = (m: string) => this.out.warn(m)
      const result = await explainAgent({
        configPath: path,
        configLabel: label,
        env: process.env,
        registries: await loadRegistries(this.config, {warn}),
        connect: async () => (await openSession(sessionInputFrom(flags, warn, warn))).api,
        warn,
      })
      if (!this.jsonEnabled()) this.out.info(renderAgentExplanation(result).join('\n'))
      return result
    }

    const fallback = fallbackOptionsFrom(flags, process.env, homedir())
    const log = createAgentLog({format: flags['log-format'], verbose: flags.verbose, write: (line) => void process.stderr.write(line)})
    const registries = await loadRegistries(this.config, {warn: (m) => this.out.warn(m)})
    const session = {
      ...sessionInputFrom(
        flags,
        (message) => log.emit({event: 'notice', level: 'warn', message}),
        (message) => log.emit({event: 'notice', level: 'warn', message}),
      ),
      onRetry: (n: {attempt: number; retries: number; delayMs: number; reason: string; method: string; path: string}) =>
        log.emit({event: 'retry', level: 'debug', message: `${n.method} ${n.path}: ${n.reason}; retry ${n.attempt}/${n.retries} in ${n.delayMs} ms`}),
    }
    const snapshots = new AgentSnapshots(fallback, log)
    const agent = new Agent({
      configPath: path,
      configLabel: label,
      env: process.env,
      registries,
      connect: async () => {
        const opened = await openSession(session)
        snapshots.attach(opened)
        return opened.api
      },
      snapshots,
      once: flags.once,
      log,
    })

    const onStop = (signal: NodeJS.Signals) => agent.stop(signal)
    const onHangup = () => agent.reload()
    process.on('SIGTERM', onStop)
    process.on('SIGINT', onStop)
    process.on('SIGHUP', onHangup)
    let code: number
    try {
      code = await agent.run()
    } finally {
      process.off('SIGTERM', onStop)
      process.off('SIGINT', onStop)
      process.off('SIGHUP', onHangup)
    }
    process.exitCode = code
    // A poll may still be waiting on the network; it must not hold the exit.
    setTimeout(() => process.exit(code), 50).unref()
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<never> {
    const json = this.logFormat === 'json' || (this.logFormat === undefined && /(^|\s)--log-format(=|\s+)json(\s|$)/.test(this.argv.join(' ')))
    if (!json) return super.catch(error)
    const code = exitCodeOf(error)
    const problems = (error as {problems?: unknown}).problems
    process.stderr.write(
      `${JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        event: 'error',
        message: error.message,
        code: isBellaError(error) ? error.code : 'error',
        exitCode: code,
        suggestions: isBellaError(error) ? error.suggestions : [],
        ...(Array.isArray(problems) ? {problems} : {}),
      })}\n`,
    )
    return this.exit(code) as never
  }
}
