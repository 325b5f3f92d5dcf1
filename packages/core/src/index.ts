// The plugin SDK. Keep this entry light: it is imported on every command's start-up path, so
// nothing here may import a heavy module at top level (got, yaml, the keychain…).
export * from './errors.js'
export * from './output.js'
export * from './crypto/api-key.js'
export * from './crypto/hmac.js'
export * from './crypto/e2ee.js'
export * from './base-command.js'
export * from './api/index.js'
export * from './config/index.js'
export * from './credentials/index.js'
export * from './process/index.js'
export * from './strategies/index.js'
