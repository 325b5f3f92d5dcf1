import type {CredentialBackend} from '../config/user-config.js'

export type {CredentialBackend}

/** Named secrets kept between runs (today only the API key stored by `bella login`). */
export interface CredentialStore {
  readonly backend: CredentialBackend
  /** Human-readable: 'OS keychain (service "bella")' or the credentials file path. */
  readonly location: string
  get(name: string): Promise<string | undefined>
  set(name: string, value: string): Promise<void>
  /** Resolves false when there was nothing to delete. */
  delete(name: string): Promise<boolean>
}
