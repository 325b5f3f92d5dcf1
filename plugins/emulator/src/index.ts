// @bella/plugin-emulator: a local Bella Baxter-compatible API server for demos and tests.
// Importing this entry never loads `yaml`; only loading a seed file does.
export {startEmulator, EMULATOR_HOST} from './emulator.js'
export type {Emulator, EmulatorApiKeyInfo, SecretsTarget, StartEmulatorOptions} from './emulator.js'
export {defaultSeed} from './seed/default-seed.js'
export {resolveSeed, derivedUuid, describeSeedPath, SeedError} from './seed/seed.js'
export type {
  EmulatorSeed,
  ResolvedSeed,
  SeedApiKey,
  SeedEnvironment,
  SeedProject,
  SeedProvider,
  SeedSecret,
  SeedTenant,
  SeedToken,
} from './seed/seed.js'
export {loadSeedFile, parseSeedYaml} from './seed/seed-file.js'
export {verifyHmacRequest, parseSigningTimestamp, DEFAULT_MAX_SKEW_MS} from './auth/hmac-verifier.js'
export type {HmacCheck, HmacVerdict, HmacVerifierOptions, SignedRequest} from './auth/hmac-verifier.js'
export {parseFaultSpec} from './faults.js'
export type {E2eeFaultMode, Fault, FaultCount, FaultSpec, PayloadFaultMode} from './faults.js'
export type {RequestLogEntry} from './server.js'
export {DynamicCredentials} from './dynamic/credentials.js'
export type {GeneratedCredentials, LeaseInfo} from './dynamic/credentials.js'
export {connectionUrl, parseAdminUrl, quoteIdent, quoteLiteral, scramSha256Verifier} from './dynamic/sql.js'
export type {ResolvedDatabaseProvider, ResolvedDatabaseRole, SeedDatabaseRole} from './dynamic/seed-database.js'
export type {EmulatorState, Principal, SecretsChange, SecretsChangeResult} from './state.js'
export type {ProblemDetails} from './http.js'
export {ADMIN_PREFIX} from './routes/admin-routes.js'
export {serveInForeground, formatLogLine} from './serve.js'
export type {ServeOptions} from './serve.js'
