export type {CredentialBackend, CredentialStore} from './store.js'
export {credentialsFilePath, openCredentialStore, type OpenCredentialStoreOptions} from './open-store.js'
export {KEYCHAIN_SERVICE, setKeyringImporter, type KeyringEntry, type KeyringModule} from './keychain-store.js'
export {
  STORED_API_KEY,
  storedApiKeyName,
  resolveCredentials,
  resolveDeviceKey,
  type ResolveCredentialsInput,
  type ResolvedCredentials,
} from './resolve-credentials.js'
