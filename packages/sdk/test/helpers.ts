// The SDK's tests: an in-process emulator with one small world, and waits bounded by a deadline.
import {startEmulator, type Emulator} from '../../../plugins/emulator/src/index.js'
import type {RequestLogEntry} from '../../../plugins/emulator/src/server.js'
import type {EmulatorSeed} from '../../../plugins/emulator/src/seed/seed.js'

export const shop = {project: 'shop', environment: 'dev'}
export const TOKEN = 'sdk-bearer-token-7c1e'
/** A well-formed key the emulator does not know: any request signed with it is a 401. */
export const UNKNOWN_KEY = `bax-0123456789abcdef0123456789abcdef-${'ab'.repeat(32)}`
export const SECRETS_PATH = '/api/v1/projects/shop/environments/dev/secrets'
export const VERSION_PATH = `${SECRETS_PATH}/version`

export const isVersionPoll = (r: RequestLogEntry) => r.path === VERSION_PATH
export const isFullFetch = (r: RequestLogEntry) => r.path === SECRETS_PATH

/** A world with odd names in it: `__proto__` and `constructor` are secrets like any other. */
export function startShop(extra: Pick<EmulatorSeed, 'oidc'> = {}): Promise<Emulator> {
  const secrets = Object.fromEntries([
    ['A', 'one'],
    ['B', 'two'],
    ['C', 'three'],
    ['__proto__', 'proto-value'],
    ['constructor', 'ctor-value'],
  ])
  return startEmulator({
    port: 0,
    seed: {
      keys: [{project: 'shop', environment: 'dev', role: 'CONSUMER'}],
      tokens: [{token: TOKEN, project: 'shop', environment: 'dev'}],
      projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets}]}]}],
      ...extra,
    },
  })
}

/** Resolves with the next request the emulator logs that matches, or fails after `timeoutMs`. */
export function nextRequest(emulator: Emulator, match: (r: RequestLogEntry) => boolean, timeoutMs = 10_000): Promise<RequestLogEntry> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`no matching request within ${timeoutMs} ms`))
    }, timeoutMs)
    const stop = emulator.onRequest((entry) => {
      if (!match(entry)) return
      clearTimeout(timer)
      stop()
      resolve(entry)
    })
  })
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The three name lists of an onUpdate argument (which is also an array of `{key}`, as the official SDK's). */
export const namesOf = ({added, changed, removed}: {added: string[]; changed: string[]; removed: string[]}) => ({added, changed, removed})
