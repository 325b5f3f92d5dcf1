import {isAbsolute, join, sep} from 'node:path'
import type {Env} from './types.js'

/** `$XDG_CONFIG_HOME/bella`, else `<home>/.config/bella`. A relative XDG value is ignored, as the XDG spec requires. */
export function configDirFrom(env: Env, homedir: string): string {
  const xdg = env.XDG_CONFIG_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'bella')
  return join(homedir, '.config', 'bella')
}

/** `$XDG_CACHE_HOME/bella`, else `<home>/.cache/bella` (offline snapshots, key contexts): what bella may lose at any time. A relative XDG value is ignored. */
export function cacheDirFrom(env: Env, homedir: string): string {
  const xdg = env.XDG_CACHE_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'bella')
  return join(homedir, '.cache', 'bella')
}

/** Shortens a path under the home directory to `~/…` for messages; other paths are returned as is. */
export function displayPath(path: string, home: string | undefined): string {
  if (!home || home === sep) return path
  const prefix = home.endsWith(sep) ? home : home + sep
  return path.startsWith(prefix) ? `~${sep}${path.slice(prefix.length)}` : path
}

/** The home directory as the environment states it, for `displayPath` only. */
export function homeFromEnv(env: Env): string | undefined {
  return env.HOME || env.USERPROFILE || undefined
}
