/**
 * Gets the platform's OIDC ID token (contract §1.9). GitHub Actions: a GET to
 * ACTIONS_ID_TOKEN_REQUEST_URL with `audience=` appended and the request token as bearer, answered
 * with `{"value": "<jwt>"}`; Kubernetes: the service-account token file, trimmed. Over core's
 * node:http transport (never fetch/got: start-up cost). Neither the request token nor the ID token
 * ever appears in an error message.
 */
import {readFileSync} from 'node:fs'
import {authError, generalError, unreachableError} from '../errors.js'
import {nodeTransport, TransportError, type Transport} from '../api/transport.js'
import type {WorkloadPlatform} from './platform.js'

export interface OidcTokenOptions {
  audience: string
  timeoutMs?: number
  transport?: Transport
  readFile?: (path: string) => string
  sleep?: (ms: number) => Promise<void>
}

const GITHUB_ATTEMPTS = 3
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function obtainOidcToken(platform: WorkloadPlatform, options: OidcTokenOptions): Promise<string> {
  return platform.kind === 'github-actions' ? githubToken(platform, options) : kubernetesToken(platform, options)
}

/** The request URL with `audience` appended as the official clients do (`&` or `?`). */
export function githubTokenUrl(requestUrl: string, audience: string): URL {
  const separator = requestUrl.includes('?') ? '&' : '?'
  return new URL(`${requestUrl}${separator}audience=${encodeURIComponent(audience)}`)
}

async function githubToken(platform: Extract<WorkloadPlatform, {kind: 'github-actions'}>, options: OidcTokenOptions): Promise<string> {
  let url: URL
  try {
    url = githubTokenUrl(platform.requestUrl, options.audience)
  } catch {
    throw generalError('ACTIONS_ID_TOKEN_REQUEST_URL is not a valid URL', {code: 'workload_oidc_unavailable'})
  }
  const where = `${url.origin} (ACTIONS_ID_TOKEN_REQUEST_URL)`
  const transport = options.transport ?? nodeTransport
  const sleep = options.sleep ?? defaultSleep
  for (let attempt = 1; ; attempt++) {
    let failure: string
    try {
      const response = await transport({
        method: 'GET',
        url,
        headers: {Authorization: `bearer ${platform.requestToken}`, Accept: 'application/json', 'User-Agent': 'bella-cli'},
        timeoutMs: options.timeoutMs ?? 15_000,
      })
      if (response.status >= 200 && response.status < 300) return tokenFromBody(response.body, where)
      failure = `${response.status} ${response.statusText}`.trim()
      if (response.status < 500 && response.status !== 429) {
        throw authError(`GitHub Actions refused the OIDC token request to ${where} (${failure})`, {
          code: 'workload_oidc_refused',
          suggestions: [
            'give the job (or workflow) `permissions: id-token: write`',
            'or configure an API key instead: BELLA_BAXTER_API_KEY',
          ],
        })
      }
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      failure = `${error.code}: ${error.message}`
    }
    if (attempt >= GITHUB_ATTEMPTS) {
      throw unreachableError(`Could not get the GitHub Actions OIDC token from ${where} after ${attempt} attempts (${failure})`, {
        code: 'workload_oidc_unavailable',
        suggestions: ['re-run the job; if it keeps failing, configure an API key instead: BELLA_BAXTER_API_KEY'],
      })
    }
    await sleep(250 * 2 ** (attempt - 1))
  }
}

function tokenFromBody(body: string, where: string): string {
  let value: unknown
  try {
    value = (JSON.parse(body) as {value?: unknown}).value
  } catch {
    value = undefined
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw generalError(`The answer from ${where} has no OIDC token ("value")`, {code: 'workload_oidc_unavailable'})
  }
  return value.trim()
}

function kubernetesToken(platform: Extract<WorkloadPlatform, {kind: 'kubernetes'}>, options: OidcTokenOptions): string {
  let text: string
  try {
    text = (options.readFile ?? ((path) => readFileSync(path, 'utf8')))(platform.tokenPath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw generalError(`Cannot read the Kubernetes service-account token ${platform.tokenPath} (${code})`, {
      code: 'workload_oidc_unavailable',
      suggestions: ['check the volume mount and the file permissions, or point BELLA_K8S_TOKEN_PATH at the projected token'],
    })
  }
  const token = text.trim()
  if (!token) {
    throw generalError(`The Kubernetes service-account token ${platform.tokenPath} is empty`, {code: 'workload_oidc_unavailable'})
  }
  return token
}
