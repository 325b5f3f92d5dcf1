/**
 * Keeps a workload-identity key fresh for long-running commands (`run --watch`, `agent`): the key
 * from the exchange lives about an hour, so the API client built on it renews it — a new OIDC
 * token, a new exchange — shortly before it expires, and once more if the server answers 401
 * (a 401 means the request was not processed, so repeating it is safe). Clients built on any other
 * credentials are returned untouched.
 */
import type {ApiClient, ApiRequest} from '../api/client.js'
import type {ResolvedCredentials} from '../credentials/resolve-credentials.js'
import {isBellaError} from '../errors.js'

export interface WorkloadKey {
  credentials: ResolvedCredentials
  /** When the server says the key stops working. */
  expiresAt: Date | undefined
  /** When bella got it (by its own clock), to size the renewal margin. */
  obtainedAt: Date
}

const renewals = new WeakMap<ResolvedCredentials, {key: WorkloadKey; renew: () => Promise<WorkloadKey>}>()

/** Marks `key.credentials` as renewable by `renew` (done by resolveWorkloadCredentials). */
export function registerWorkloadRenewal(key: WorkloadKey, renew: () => Promise<WorkloadKey>): void {
  renewals.set(key.credentials, {key, renew})
}

const MAX_MARGIN_MS = 5 * 60_000

/** Renew this long before expiry: a tenth of the key's life, at most 5 minutes. */
function renewAt(key: WorkloadKey): number | undefined {
  if (!key.expiresAt) return undefined
  const life = key.expiresAt.getTime() - key.obtainedAt.getTime()
  return key.expiresAt.getTime() - Math.min(MAX_MARGIN_MS, Math.max(0, life / 10))
}

export function renewingApiClient(
  credentials: ResolvedCredentials,
  build: (credentials: ResolvedCredentials) => ApiClient,
  clock: () => Date = () => new Date(),
): ApiClient {
  const renewal = renewals.get(credentials)
  let client = build(credentials)
  if (!renewal) return client
  let key = renewal.key
  let pending: Promise<void> | undefined
  const renew = () =>
    (pending ??= renewal
      .renew()
      .then((next) => {
        key = next
        client = build(next.credentials)
      })
      .finally(() => {
        pending = undefined
      }))

  return {
    baseUrl: client.baseUrl,
    get credentials() {
      return client.credentials
    },
    async request<T>(request: ApiRequest): Promise<T> {
      const due = renewAt(key)
      if (due !== undefined && clock().getTime() >= due) await renew()
      const used = client
      try {
        return await used.request<T>(request)
      } catch (error) {
        if (!isBellaError(error) || error.code !== 'api_unauthorized') throw error
        if (client === used) await renew()
        return client.request<T>(request)
      }
    },
  }
}
