// Builds dist/binary/bella: one self-contained executable for this platform (a Node single
// executable application with a V8 code cache), from the tsc output of `npm run build`.
//   1. esbuild bundles src/sea/main.ts (the fast path's dispatch), src/sea/run-asset.ts (`bella
//      run`'s fast path) and src/sea/rest.ts (oclif and every command) into CommonJS files (a SEA's
//      main script is CommonJS, and its require() only reaches Node's built-in modules); the last
//      two are embedded as assets, each with a code cache made after running it;
//   2. node --experimental-sea-config turns it into a preparation blob with a code cache;
//   3. postject injects the blob into a copy of this node binary (stripped of its symbols).
// Pitfall (shared/reference/toolchain.md §4): typescript/ts-node/tsx stay external, or oclif's
// ts-path drags TypeScript in.
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {Script} from 'node:vm'
import {chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'binary')
const bundle = join(out, 'bella.cjs')
const rest = join(out, 'rest.cjs')
const restCache = join(out, 'rest.cache')
const runAsset = join(out, 'run.cjs')
const runCache = join(out, 'run.cache')
const blob = join(out, 'sea-prep.blob')
const binary = join(out, 'bella')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const builtIn = {name: pjson.name, version: pjson.version, description: pjson.description, oclif: pjson.oclif}

rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@napi-rs/keyring', 'pg-native', 'cloudflare:sockets', 'typescript', 'ts-node', 'tsx'],
  // import() of a Node built-in becomes require(), which a SEA's main script supports.
  supported: {'dynamic-import': false},
  define: {BELLA_PACKAGE_JSON: JSON.stringify(builtIn)},
  logLevel: 'error',
}
// The main script: the fast path only. V8 loads all of it at every start.
await build({...common, entryPoints: [join(root, 'dist', 'sea', 'main.js')], outfile: bundle})
// oclif and every command: an asset, evaluated only when a command goes through oclif.
await build({...common, entryPoints: [join(root, 'dist', 'sea', 'rest.js')], outfile: rest})
// `bella run`'s fast path: an asset, evaluated only for `run`.
await build({...common, entryPoints: [join(root, 'dist', 'sea', 'run-asset.js')], outfile: runAsset})

// The asset's code cache, made by this very node (the binary is a copy of it, so V8 accepts it).
// The module is run first so that the functions its start-up compiles are in the cache too.
const {assetFileName, wrapCommonJs, REST_ASSET, REST_CACHE_ASSET, RUN_ASSET, RUN_CACHE_ASSET} = await import(join(root, 'dist', 'sea', 'load-asset.js'))
const restScript = new Script(wrapCommonJs(readFileSync(rest, 'utf8')), {filename: assetFileName(REST_ASSET)})
const restModule = {exports: {}}
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
restScript.runInThisContext()(restModule.exports, createRequire(rest), restModule)
writeFileSync(restCache, restScript.createCachedData())

// The run asset's code cache, made after two real `run -- true` against the emulator (in a child
// process, so nothing of this build's own state is in it). If that fails, a cache made without
// running still works, only slower.
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'warm-run-cache.mjs'), runAsset, runCache], {stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000})
} catch (error) {
  console.error(`warning: the run asset's code cache was made without a run (${String(error.stderr ?? error).trim().split('\n')[0]})`)
  writeFileSync(runCache, new Script(wrapCommonJs(readFileSync(runAsset, 'utf8')), {filename: assetFileName(RUN_ASSET)}).createCachedData())
}

const seaConfig = join(out, 'sea-config.json')
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: {[REST_ASSET]: rest, [REST_CACHE_ASSET]: restCache, [RUN_ASSET]: runAsset, [RUN_CACHE_ASSET]: runCache},
  }),
)
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], {stdio: ['ignore', 'ignore', 'inherit']})

copyFileSync(process.execPath, binary)
chmodSync(binary, 0o755)
try {
  // Debug symbols are a tenth of node's size and useless to users.
  execFileSync('strip', [binary], {stdio: 'ignore'})
} catch {
  // strip is optional: the binary works either way, only bigger.
}
execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  // postject prints harmless "Can't find string offset for section name" warnings.
  {stdio: 'ignore'},
)
for (const file of [blob, seaConfig, bundle, rest, restCache, runAsset, runCache]) rmSync(file)
console.error(`built ${binary} (${(statSync(binary).size / 1e6).toFixed(1)} MB)`)
