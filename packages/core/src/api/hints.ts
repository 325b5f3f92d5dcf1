/**
 * Failures whose raw form misleads: TLS to a plain-HTTP port (OpenSSL's "wrong version number")
 * and a 404 caused by a base URL that already ends in /api. Each names the real cause.
 */
import {unreachableError, type BellaError} from '../errors.js'
import type {TransportError} from './transport.js'

/** What OpenSSL says when the other end speaks plain HTTP ("HTTP/1.1 400" read as a TLS record). */
export function isPlainHttpAnswer(url: URL, error: TransportError): boolean {
  if (url.protocol !== 'https:') return false
  const said = error.nodeMessage ?? error.message
  return /wrong version number|packet length too long|http request/i.test(said) || (error.code === 'EPROTO' && /ssl|tls/i.test(said))
}

export function plainHttpError(url: URL, what: string, error: TransportError): BellaError {
  const hostPort = `${url.hostname}:${url.port || '443'}`
  return unreachableError(`The server at ${hostPort} answered in plain HTTP to bella's https:// request for ${what}, so no TLS connection was possible (${error.code})`, {
    code: 'api_plain_http',
    suggestions: [`use http://${url.host} (loopback only, or with --insecure) or the server's TLS port, in BELLA_BAXTER_URL / --api-url`],
  })
}

const SLUGS =
  'check the project, environment and provider slugs: bella projects list, bella environments list -p <project> and bella providers list show what exists (bella whoami shows what is in use)'

/** A 404's next steps: the doubled /api first when the base URL ends in /api or /api/v1 (bella appends /api/v1/… itself). */
export function notFoundSuggestions(baseUrl: string, what: string): string[] {
  const doubled = /\/api(\/v1)?$/i.exec(new URL(baseUrl).pathname)
  if (!doubled) return [SLUGS]
  const fixed = baseUrl.slice(0, -doubled[0].length)
  return [
    `the API URL ${baseUrl} already ends in ${doubled[0]} and bella adds /api/v1/… itself (this request was ${what}): use ${fixed} in BELLA_BAXTER_URL, --api-url or \`bella config set api-url\``,
    `otherwise ${SLUGS}`,
  ]
}
