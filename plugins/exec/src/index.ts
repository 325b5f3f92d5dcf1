// @bella/plugin-exec: `bella exec`. The service is exported for tests and embedding; the command
// lives in ./commands/exec.ts.
export {execCommand, listRoles} from './exec-service.js'
export type {ExecOptions, ListRolesOptions, ProviderRequest, RolesListing} from './exec-service.js'
export {bellaVariables, databaseVariables, execChildEnv, expiryOf} from './child-env.js'
export type {BellaConnection, DatabaseCredentials, ExecEnvOptions} from './child-env.js'
export {generateDatabaseCredentials, listCredentialRoles} from './credentials-api.js'
