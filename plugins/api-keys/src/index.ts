// @bella/plugin-api-keys: `bella api-keys create|list|rotate|revoke`. Services exported for tests.
export * from './types.js'
export * from './api-keys-service.js'
export {renderKeyTable, keyStatus} from './key-table.js'
