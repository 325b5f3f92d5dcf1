import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, escapeControls, sessionInputFrom, targetFlags, type Resolved} from '@bella/core'
import {whoami, type WhoamiResult} from '../services/whoami.js'

export default class Whoami extends BellaCommand {
  static override summary = 'Show which server, key, project and environment bella uses, and where each came from.'
  static override enableJsonFlag = true
  static override description = 'The credentials are always checked with the API (GET /api/v1/keys/me): a wrong key or an unreachable server fails (exit 3 or 4). --offline only shows the local configuration.'
  static override flags = {
    ...targetFlags,
    ...connectionFlags,
    offline: Flags.boolean({description: 'Do not contact the API: show the local configuration only, unchecked.', default: false}),
  }

  async run(): Promise<WhoamiResult> {
    const {flags} = await this.parse(Whoami)
    const result = await whoami(sessionInputFrom(flags, (m) => this.out.info(m)), {offline: flags.offline})
    if (!result.verified) this.out.warn('--offline: the credentials were not checked with the API.')
    if (!this.jsonEnabled()) this.out.result(render(result))
    return result
  }
}

function render(r: WhoamiResult): string {
  // Values come from the server (project, environment, role) or the environment: shown with control characters escaped.
  const row = (label: string, value: string, origin?: string) => `${label.padEnd(13)}${escapeControls(value)}${origin ? `   (${origin})` : ''}`
  const setting = (label: string, s: Resolved<string> | undefined) => row(label, s?.value ?? '-', s?.origin)
  const key = r.credentials.kind === 'api-key' ? `${r.credentials.keyPrefix}… (API key)` : 'access token (bearer)'
  const lines = [
    setting('API URL', r.apiUrl),
    row('Credentials', key, r.credentials.origin),
    ...(r.role ? [row('Role', r.role)] : []),
    setting('Project', r.project),
    setting('Environment', r.environment),
    setting('App', r.app),
  ]
  return lines.join('\n')
}
