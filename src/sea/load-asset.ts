/**
 * Evaluates one of the binary's CommonJS assets with the V8 code cache built for it, in this
 * context, and returns its exports: `run` (run-asset.ts, `bella run`'s fast path) and `rest`
 * (rest.ts: oclif and every command). A cache that V8 rejects (another node build) only costs
 * compile time. Only node:module, node:sea and node:vm are loaded here, and only when an asset is.
 */
import {createRequire} from 'node:module'
import {getAsset} from 'node:sea'
import {Script} from 'node:vm'

export type RestModule = typeof import('./rest.js')
export type RunModule = typeof import('./run-asset.js')

export const REST_ASSET = 'rest.cjs'
export const REST_CACHE_ASSET = 'rest.cache'
export const RUN_ASSET = 'run.cjs'
export const RUN_CACHE_ASSET = 'run.cache'

/** The CommonJS wrapper the build also compiles, so the code cache matches byte for byte. */
export const wrapCommonJs = (source: string) => `(function (exports, require, module) {${source}\n})`

/** The file name V8 is given for an asset (stack traces), the same at build time and at run time. */
export const assetFileName = (asset: string) => `bella-${asset}`

const loaded = new Map<string, unknown>()

function loadAsset<T>(asset: string, cacheAsset: string): T {
  if (loaded.has(asset)) return loaded.get(asset) as T
  const script = new Script(wrapCommonJs(getAsset(asset, 'utf8')), {
    filename: assetFileName(asset),
    cachedData: Buffer.from(getAsset(cacheAsset)),
  })
  // A rejected cache costs compile time on every start, silently; the binary's tests ask.
  if (process.env.BELLA_TRACE_CODE_CACHE === '1') {
    process.stderr.write(`debug: code cache ${cacheAsset} ${script.cachedDataRejected ? 'rejected' : 'accepted'}\n`)
  }
  const module = {exports: {} as T}
  // The assets require only Node's built-in modules, which any require resolves.
  ;(script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown) => void)(module.exports, createRequire(process.execPath), module)
  loaded.set(asset, module.exports)
  return module.exports
}

export const loadRest = (): RestModule => loadAsset<RestModule>(REST_ASSET, REST_CACHE_ASSET)
export const loadRun = (): RunModule => loadAsset<RunModule>(RUN_ASSET, RUN_CACHE_ASSET)
