/** Where a resolved setting came from, so `whoami --verbose` / `--json` can explain it. */
export type SettingSource =
  | 'flag'
  | 'env'
  | 'bella-file'
  | 'user-config'
  | 'login'
  | 'default'
  | 'key-context'
  | 'credential-store'
  | 'workload-identity'

export interface Resolved<T> {
  value: T
  source: SettingSource
  /** Human-readable: '--project', 'BELLA_BAXTER_PROJECT', '/repo/.bella', '~/.config/bella/config.json', 'default', … */
  origin: string
}

/** Environment variables as passed in by the caller; services never read `process.env` themselves. */
export type Env = Record<string, string | undefined>
