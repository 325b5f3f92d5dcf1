/**
 * bella-sdk: read an environment's secrets from a Node.js app and keep them fresh. Built on
 * bella's core (transport, HMAC signing, E2EE, response checks, workload identity), bundled into
 * one dependency-free module by build.mjs.
 */
export {createBaxterClient, type BaxterClient, type BaxterClientConfig} from './client.js'
export {
  createBellaConfig,
  BellaConfig,
  DEFAULT_REFRESH_INTERVAL_SECONDS,
  MIN_REFRESH_INTERVAL_SECONDS,
  type BellaConfigOptions,
  type IntoProcessEnvResult,
  type SecretChange,
  type SecretChanges,
} from './config.js'
export type {AllEnvironmentSecretsResponse, DiscoveredContext, EnvironmentSecretsVersionResponse} from './connection.js'
export type {BaxterClientOptions} from './options.js'
export {BellaError, isBellaError} from '@bella/core/runtime'
