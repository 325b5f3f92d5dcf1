/**
 * Evaluates the binary's `rest` asset (rest.ts, bundled as CommonJS) with the code cache built for
 * it, in this context, and returns its exports. A cache that V8 rejects (another node build) only
 * costs compile time.
 */
import {createRequire} from 'node:module'
import {getAsset} from 'node:sea'
import {Script} from 'node:vm'

export type RestModule = typeof import('./rest.js')

export const REST_ASSET = 'rest.cjs'
export const REST_CACHE_ASSET = 'rest.cache'

/** The CommonJS wrapper the build also compiles, so the code cache matches byte for byte. */
export const wrapCommonJs = (source: string) => `(function (exports, require, module) {${source}\n})`

let loaded: RestModule | undefined

export function loadRest(): RestModule {
  if (loaded) return loaded
  const script = new Script(wrapCommonJs(getAsset(REST_ASSET, 'utf8')), {
    filename: 'bella-rest.cjs',
    cachedData: Buffer.from(getAsset(REST_CACHE_ASSET)),
  })
  const module = {exports: {} as RestModule}
  // The asset requires only Node's built-in modules, which any require resolves.
  ;(script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown) => void)(module.exports, createRequire(process.execPath), module)
  loaded = module.exports
  return loaded
}
