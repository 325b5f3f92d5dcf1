// Makes the V8 code cache of the single binary's `run` asset after real runs, so the binary's
// `bella run` compiles none of the functions it goes through (a cache made without running holds
// little more than the top level). Run by scripts/build-binary.mjs in a child process of the very
// node the binary is a copy of (V8 accepts a cache only from the same build and flags):
//   node scripts/warm-run-cache.mjs <run.cjs> <run.cache>
// It evaluates the asset as the binary does (load-asset.ts), starts the emulator in this process,
// and runs `bella run -- true` twice, the first asking keys/me and saving the key context, the
// second reading it back, in a private HOME that is removed afterwards.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [asset, cacheFile] = process.argv.slice(2)
const {assetFileName, wrapCommonJs, RUN_ASSET} = await import(join(root, 'dist', 'sea', 'load-asset.js'))
const {startEmulator} = await import(join(root, 'plugins', 'emulator', 'dist', 'index.js'))

const script = new Script(wrapCommonJs(readFileSync(asset, 'utf8')), {filename: assetFileName(RUN_ASSET)})
const module = {exports: {}}
script.runInThisContext()(module.exports, createRequire(asset), module)

const home = mkdtempSync(join(tmpdir(), 'bella-warm-'))
const emulator = await startEmulator({port: 0})
try {
  Object.assign(process.env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    BELLA_CREDENTIAL_STORE: 'file',
    BELLA_BAXTER_URL: emulator.url,
    BELLA_BAXTER_API_KEY: emulator.apiKey,
  })
  for (const attempt of [1, 2]) {
    const code = await module.exports.tryFastRun(['--', 'true'])
    if (code !== 0) throw new Error(`bella run -- true (run ${attempt}) exited ${code}`)
  }
  writeFileSync(cacheFile, script.createCachedData())
} finally {
  await emulator.close()
  rmSync(home, {recursive: true, force: true})
}
