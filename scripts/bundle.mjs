// Bundles the host and its first-party plugins (tsc output in dist/ and each workspace's dist/)
// into dist/cli/, the code the npm package ships:
//   fast-path.js  the oclif-free start-up path (`--version`, well-formed `run`)
//   commands.js   every command by id: oclif's explicit command strategy target (package.json)
//   command-not-found.js  the host's oclif hook for an unknown command
//   host.js       oclif's run with bella's error path (bin/run.js, when the fast path did not answer)
// Code splitting keeps one copy of each module shared by both entries, and turns every lazy
// `import()` (yaml, pg, the watch loop) into a chunk loaded only by the command that needs it.
// Node's ESM loader pays per file, so bundling the ~50 small modules of the run path saves ~25 ms.
// @oclif/core stays external: the oclif plugins bella depends on (help, plugins) must share it.
import {build} from 'esbuild'
import {rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist', 'cli')

/** Modules left out of every bundle: native, optional, or platform-specific code paths. */
export const ALWAYS_EXTERNAL = ['@napi-rs/keyring', 'pg-native', 'cloudflare:sockets']

rmSync(outdir, {recursive: true, force: true})
await build({
  entryPoints: {
    'fast-path': join(root, 'dist', 'fast-path.js'),
    commands: join(root, 'dist', 'command-map.js'),
    'command-not-found': join(root, 'dist', 'hooks', 'command-not-found.js'),
    host: join(root, 'dist', 'host.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: [...ALWAYS_EXTERNAL, '@oclif/core', '@oclif/core/*'],
  // CommonJS dependencies bundled into ESM (pg, dotenv) call require() for Node built-ins.
  banner: {js: "import {createRequire as __bellaRequire} from 'node:module'; const require = __bellaRequire(import.meta.url);"},
  logLevel: 'warning',
})
