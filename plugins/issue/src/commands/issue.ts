import {Flags} from '@oclif/core'
import {BellaCommand, connectionFlags, sessionInputFrom, targetFlags} from '@bella/core'
import {DEFAULT_REASON, DEFAULT_TTL_MINUTES, issueToken, MAX_TTL_MINUTES, parseIssueRequest, type CreatedApiKeyResponse} from '../issue-service.js'

export default class Issue extends BellaCommand {
  static override summary = 'Issue a short-lived token that can read only some secrets, for one job or script.'
  static override description = `The token (a bax-… key) alone goes to stdout, so TOKEN=$(bella issue --scope stripe) works; a summary goes to stderr. Needs a key allowed to manage the environment. With --json, the whole response is printed instead.`

  static override examples = [
    'TOKEN=$(<%= config.bin %> issue --scope stripe)',
    '<%= config.bin %> issue -p shop -e production --scope stripe,provider:aws-prod --ttl 60 --reason "nightly export"',
  ]

  static override enableJsonFlag = true

  static override flags = {
    scope: Flags.string({
      char: 's',
      description: 'What the token may read, comma-separated (repeatable). Empty entries are rejected.',
      required: true,
      multiple: true,
    }),
    ttl: Flags.string({char: 't', description: `Minutes until the token expires, 1-${MAX_TTL_MINUTES}. [default: ${DEFAULT_TTL_MINUTES}]`}),
    reason: Flags.string({char: 'r', description: `Why it was issued (kept with the token). [default: ${DEFAULT_REASON}]`}),
    ...targetFlags,
    ...connectionFlags,
  }

  async run(): Promise<CreatedApiKeyResponse> {
    const {flags} = await this.parse(Issue)
    const request = parseIssueRequest({scope: flags.scope, ttl: flags.ttl, reason: flags.reason})
    const {response, token, target} = await issueToken({session: sessionInputFrom(flags, (m) => this.out.info(m)), request})
    if (this.jsonEnabled()) return response
    this.out.result(token)
    const expires = typeof response.expiresAt === 'string' ? `, until ${response.expiresAt}` : ''
    this.out.info(`✓ Scoped token issued for ${target.project}/${target.environment} (scopes: ${request.scopes.join(', ')} | expires in ${request.ttlMinutes} min${expires})`)
    this.out.info('Save it now: it is shown only once. Anyone holding it can read those secrets until it expires.')
    return response
  }
}
