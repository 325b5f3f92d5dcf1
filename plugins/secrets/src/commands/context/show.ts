import {BellaCommand, connectionFlags, escapeControls, sessionInputFrom, targetFlags, type Resolved} from '@bella/core'
import {contextShow, type ContextShown} from '../../context-service.js'

export default class ContextShow extends BellaCommand {
  static override summary = 'Show the resolved context (server, credentials, project, environment) and where each value came from.'
  static override enableJsonFlag = true
  static override flags = {...targetFlags, ...connectionFlags}

  async run(): Promise<ContextShown> {
    const {flags} = await this.parse(ContextShow)
    const r = await contextShow(sessionInputFrom(flags, (m) => this.out.info(m)))
    if (this.jsonEnabled()) return r
    const row = (label: string, value: string, origin?: string) => `${label.padEnd(13)}${escapeControls(value)}${origin ? `   (${escapeControls(origin)})` : ''}`
    const setting = (label: string, s: Resolved<string> | undefined) => row(label, s?.value ?? '-', s?.origin)
    const who = r.credentials.kind === 'api-key' ? `${r.credentials.keyPrefix}… (API key)` : 'access token (bearer)'
    this.out.result(
      [setting('API URL', r.apiUrl), row('Credentials', who, r.credentials.origin), ...(r.role ? [row('Role', r.role)] : []), setting('Project', r.project), setting('Environment', r.environment), setting('App', r.app)].join('\n'),
    )
    return r
  }
}
