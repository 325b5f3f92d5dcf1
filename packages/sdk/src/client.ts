/**
 * createBaxterClient: the API calls an app needs (matching the official SDK's names), plus SPEC's
 * `getSecrets()`: the current set, loaded on first use and refreshed every `refreshInterval`
 * seconds in the background, with `onChange` / `onUpdate` told the names that changed.
 */
import {loadBellaConfig, refreshIntervalMs, type BellaConfig, type BellaConfigOptions} from './config.js'
import {openConnection, type AllEnvironmentSecretsResponse, type DiscoveredContext, type EnvironmentSecretsVersionResponse} from './connection.js'
import {resolveOptions} from './options.js'

export type BaxterClientConfig = BellaConfigOptions

export interface BaxterClient {
  readonly baxterUrl: string
  /** GET /api/v1/keys/me: the project and environment the API key is scoped to. */
  discoverContext(): Promise<DiscoveredContext>
  /** All of an environment's secrets, end-to-end encrypted on the wire and checked. */
  getAllSecrets(projectSlug: string, environmentSlug: string): Promise<AllEnvironmentSecretsResponse>
  /** The environment's version only: cheap, to see whether anything changed. */
  getSecretsVersion(projectSlug: string, environmentSlug: string): Promise<EnvironmentSecretsVersionResponse>
  /**
   * The current secrets of the configured environment (projectSlug/environmentSlug, else the
   * key's scope): loaded on the first call, then kept fresh in the background.
   */
  getSecrets(): Promise<Record<string, string>>
  /** Stops the background refresh and ends every request in flight. */
  destroy(): void
  close(): void
}

export async function createBaxterClient(options: BaxterClientConfig = {}): Promise<BaxterClient> {
  refreshIntervalMs(options)
  const resolved = await resolveOptions(options)
  const connection = await openConnection(resolved)
  let live: Promise<BellaConfig> | undefined
  let closed = false

  const destroy = () => {
    closed = true
    connection.close()
    live?.then((config) => config.destroy(), () => undefined)
  }
  return {
    baxterUrl: resolved.baseUrl,
    discoverContext: () => connection.discoverContext(),
    getAllSecrets: (project, environment) => connection.getAllSecrets(project, environment),
    getSecretsVersion: (project, environment) => connection.getSecretsVersion(project, environment),
    async getSecrets() {
      if (!live) {
        live = loadBellaConfig(connection, false, {project: resolved.project, environment: resolved.environment}, options)
        // A failed first load is tried again on the next call.
        live.catch(() => (live = undefined))
      }
      const config = await live
      if (closed) config.destroy()
      return config.getAll()
    },
    destroy,
    close: destroy,
  }
}
