// Bundles the start-up fast path (dist/fast-path.js and the oclif-free code it loads: the run
// plugin's service and core's runtime) into one file. Node's ESM loader pays per module file, and
// the ~50 small modules of that path cost ~25 ms, a sixth of `bella run`'s start-up budget.
// bin/run.js uses the bundle when present and the unbundled modules otherwise, so a missing
// bundle only costs time. Rebuilt by `npm run build` (and `prepare`).
import {build} from 'esbuild'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

await build({
  entryPoints: [join(root, 'dist', 'fast-path.js')],
  outfile: join(root, 'dist', 'fast-path.bundle.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Native or heavy modules stay where they are, loaded lazily only when needed.
  external: ['@napi-rs/keyring', 'pg', '@oclif/core'],
  logLevel: 'warning',
})
