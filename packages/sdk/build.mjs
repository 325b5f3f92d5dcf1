// Builds the packable SDK (run `npm run build` at the root first: tsc -b writes core's dist/ and
// this package's build/):
//   dist/index.js   src/index.ts bundled by esbuild with the core code it uses: no dependencies
//   dist/*.d.ts     the SDK's declarations from build/ (@internal ones stripped); the only core types they
//                   name, its errors, point at dist/core/errors.d.ts: no unpublished package is needed
import {cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {bundleLibrary} from '../../scripts/bundle-library.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const core = join(here, '..', 'core', 'dist')
const declarations = join(here, 'build')
const dist = await bundleLibrary(here)
// The public types name nothing of core but its errors (index.ts re-exports them), so only
// errors.d.ts is copied: the rest of core's declarations would pull in oclif's types.
mkdirSync(join(dist, 'core'))
cpSync(join(core, 'errors.d.ts'), join(dist, 'core', 'errors.d.ts'))
for (const name of readdirSync(declarations).filter((file) => file.endsWith('.d.ts'))) {
  const text = readFileSync(join(declarations, name), 'utf8')
  if (name !== 'index.d.ts' && text.includes('@bella/core')) throw new Error(`packages/sdk/build/${name} names a core type: keep the SDK's public types its own (or mark it @internal)`)
  writeFileSync(join(dist, name), text.replaceAll("'@bella/core/runtime'", "'./core/errors.js'"))
}
