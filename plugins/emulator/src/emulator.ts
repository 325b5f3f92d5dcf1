/**
 * `startEmulator`: the one entry point the `bella emulator` command and the tests share. It binds
 * to 127.0.0.1 only; nothing in the emulator ever opens an outbound connection.
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {generalError, usageError} from '@bella/core'
import {FaultInjector, type Fault, type FaultSpec} from './faults.js'
import {defaultSeed} from './seed/default-seed.js'
import {derivedUuid, resolveSeed, SeedError, type EmulatorSeed, type ResolvedSeed} from './seed/seed.js'
import {createRequestListener, type RequestLogEntry} from './server.js'
import {DynamicCredentials} from './dynamic/credentials.js'
import {EmulatorState, type SecretsChange, type SecretsChangeResult, type TokenState} from './state.js'

export const EMULATOR_HOST = '127.0.0.1'
const REQUEST_LOG_CAPACITY = 1000

export interface StartEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /** The world to serve; the built-in demo seed when omitted. */
  seed?: EmulatorSeed
  /** The server clock, for signature skew checks and timestamps (tests move it). */
  now?: () => Date
  /**
   * A PostgreSQL admin connection on this machine (`postgres://admin:pw@127.0.0.1:5432/db`):
   * database providers (`type: postgres` with `roles:`) then issue real, expiring login roles.
   */
  postgres?: {adminUrl: string}
}

export interface EmulatorApiKeyInfo {
  id: string
  /** The full `bax-{id}-{secret}` key. */
  key: string
  name: string
  projectId: string
  environmentId: string | null
  role: string
}

export interface SecretsTarget {
  /** Project slug or id. */
  project: string
  /** Environment slug or id. */
  environment: string
  /** Provider slug; when omitted see `EmulatorState.changeSecrets`. */
  provider?: string
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  readonly port: number
  /** The first seeded key, in full: what `bella emulator` prints as BELLA_BAXTER_API_KEY. */
  readonly apiKey: string
  readonly apiKeys: readonly EmulatorApiKeyInfo[]
  /** The live world; read it freely, change secrets through `setSecrets`. */
  readonly state: EmulatorState
  /** Dynamic database credentials: outstanding leases, early revocation (dynamic/credentials.ts). */
  readonly dynamicCredentials: DynamicCredentials
  /** The same change as the admin route: bumps the version when anything changed. */
  setSecrets(target: SecretsTarget, change: SecretsChange): SecretsChangeResult
  injectFault(spec: FaultSpec): Fault
  clearFaults(): void
  faults(): Fault[]
  revokeApiKey(id: string): void
  addToken(token: {token: string; project: string; environment?: string; role?: string; expires?: Date; id?: string}): TokenState
  /** The most recent requests (up to 1000), oldest first. */
  requests(): RequestLogEntry[]
  clearRequests(): void
  onRequest(listener: (entry: RequestLogEntry) => void): () => void
  onError(listener: (error: unknown) => void): () => void
  close(): Promise<void>
}

/** The dynamic-credentials service; a bad admin URL is a usage error (its message holds no password). */
function postgresCredentials(postgres: StartEmulatorOptions['postgres'], onError: (error: unknown) => void): DynamicCredentials {
  try {
    return new DynamicCredentials({adminUrl: postgres?.adminUrl, onError})
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), {
      code: 'invalid_postgres_url',
      suggestions: ['pass --postgres-url postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE (or set BELLA_EMULATOR_POSTGRES_URL)'],
    })
  }
}

function validatedSeed(seed: EmulatorSeed | undefined): ResolvedSeed {
  try {
    return resolveSeed(seed ?? defaultSeed())
  } catch (error) {
    if (error instanceof SeedError) throw usageError(`invalid emulator seed: ${error.message}`, {code: 'invalid_seed'})
    throw error
  }
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`port must be an integer from 0 to 65535, not ${port}`)
  const now = options.now ?? (() => new Date())
  const seed = validatedSeed(options.seed)
  const state = new EmulatorState(seed, now)
  const faults = new FaultInjector()
  const closing = new AbortController()
  const requestListeners = new Set<(entry: RequestLogEntry) => void>()
  const errorListeners = new Set<(error: unknown) => void>()
  const dynamicCredentials = postgresCredentials(options.postgres, (error) => {
    for (const listener of errorListeners) listener(error)
  })
  let log: RequestLogEntry[] = []

  const server = createServer(
    createRequestListener({
      state,
      dynamic: dynamicCredentials,
      faults,
      now,
      closing: closing.signal,
      onRequest: (entry) => {
        log.push(entry)
        if (log.length > REQUEST_LOG_CAPACITY) log = log.slice(-REQUEST_LOG_CAPACITY)
        for (const listener of requestListeners) listener(entry)
      },
      onError: (error) => {
        for (const listener of errorListeners) listener(error)
      },
    }),
  )

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          generalError(`port ${port} on ${EMULATOR_HOST} is already in use`, {
            code: 'port_in_use',
            suggestions: ['stop whatever listens there, pick another --port, or use --port 0 for a free one'],
          }),
        )
      } else if (error.code === 'EACCES') {
        reject(generalError(`not allowed to listen on port ${port}`, {code: 'port_denied', suggestions: ['use a port above 1023, or --port 0']}))
      } else {
        reject(error)
      }
    })
    server.listen({host: EMULATOR_HOST, port}, resolve)
  })

  const actualPort = (server.address() as AddressInfo).port
  const apiKeys = seed.keys.map((k) => ({
    id: k.id,
    key: `bax-${k.id}-${k.secretHex}`,
    name: k.name,
    projectId: k.projectId,
    environmentId: k.environmentId,
    role: k.role,
  }))

  let closed: Promise<void> | undefined
  return {
    url: `http://${EMULATOR_HOST}:${actualPort}`,
    port: actualPort,
    apiKey: apiKeys[0]!.key,
    apiKeys,
    state,
    dynamicCredentials,
    setSecrets(target, change) {
      const project = state.requireProject(target.project)
      return state.changeSecrets(state.requireEnvironment(project, target.environment), target.provider, change)
    },
    injectFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    revokeApiKey(id) {
      if (!state.revokeApiKey(id)) throw new Error(`no API key with id ${id}`)
    },
    addToken(token) {
      const project = state.requireProject(token.project)
      const env = token.environment === undefined ? null : state.requireEnvironment(project, token.environment)
      return state.addToken({
        token: token.token,
        id: token.id ?? derivedUuid(`token:${token.token}`),
        projectId: project.id,
        environmentId: env?.id ?? null,
        role: token.role ?? 'CONSUMER',
        expires: token.expires ?? null,
      })
    },
    requests: () => [...log],
    clearRequests: () => {
      log = []
    },
    onRequest(listener) {
      requestListeners.add(listener)
      return () => requestListeners.delete(listener)
    },
    onError(listener) {
      errorListeners.add(listener)
      return () => errorListeners.delete(listener)
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort()
        server.close(() => resolve())
        // Keep-alive sockets would otherwise hold close() open for seconds.
        server.closeAllConnections()
      }).then(() => dynamicCredentials.close()) // ends every outstanding lease: drops its user
      return closed
    },
  }
}
