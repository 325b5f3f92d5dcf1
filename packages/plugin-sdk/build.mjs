// Builds the packable plugin SDK from core's tsc output (run `npm run build` at the root first):
//   dist/index.js    src/index.ts bundled by esbuild with the core code it uses: no dependencies
//   dist/index.d.ts  src/index.ts itself (only re-exports), pointed at dist/core/, a copy of
//                    core's declaration files, so the types need no unpublished package either
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {bundleLibrary} from '../../scripts/bundle-library.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const core = join(here, '..', 'core', 'dist')
const dist = await bundleLibrary(here)
cpSync(core, join(dist, 'core'), {recursive: true, filter: (path) => !path.endsWith('.js') && !path.endsWith('.tsbuildinfo')})
const source = readFileSync(join(here, 'src', 'index.ts'), 'utf8')
writeFileSync(
  join(dist, 'index.d.ts'),
  source.replaceAll("'@bella/core/runtime'", "'./core/runtime.js'").replaceAll("'@bella/core/testing'", "'./core/testing/index.js'"),
)
