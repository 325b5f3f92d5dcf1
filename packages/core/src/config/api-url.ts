import {usageError} from '../errors.js'

export const DEFAULT_API_URL = 'https://api.bella-baxter.io'

/**
 * Checks an API base URL and returns it with trailing `/` trimmed. `origin` names where the value
 * came from ('--api-url', 'BELLA_BAXTER_URL', a file) so the error tells the user what to fix.
 * The value itself is not echoed when it does not parse: a mistyped variable may hold a key.
 */
export function validateApiUrl(raw: string, origin: string, insecure: boolean): string {
  const text = raw.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw invalid(`${origin} is not a valid URL`, origin)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`${origin} must be an http(s) URL, not ${url.protocol}`, origin)
  }
  if (url.username || url.password) {
    throw invalid(`${origin} must not contain a user name or password`, origin)
  }
  if (url.search || url.hash) {
    throw invalid(`${origin} must not contain a query or fragment`, origin)
  }
  if (url.protocol === 'http:' && !insecure && !isLoopbackHost(url.hostname)) {
    throw usageError(
      `Refusing plain http:// to ${url.host} (from ${origin}): API keys, tokens and secrets would cross the network unencrypted`,
      {
        code: 'insecure_api_url',
        suggestions: [
          `use https://${url.host}${url.pathname === '/' ? '' : url.pathname} in ${origin}`,
          'or pass --insecure if this network path is trusted',
        ],
      },
    )
  }
  return text.replace(/\/+$/, '')
}

/** localhost, 127.0.0.0/8, ::1 (and IPv4-mapped 127/8). `hostname` as `URL.hostname` gives it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')
  if (host === 'localhost') return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true
  if (host === '::1') return true
  // WHATWG URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
}

function invalid(message: string, origin: string) {
  return usageError(message, {
    code: 'invalid_api_url',
    suggestions: [`set ${origin} to an absolute URL such as ${DEFAULT_API_URL} or http://localhost:5522`],
  })
}
