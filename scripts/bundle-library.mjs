// The packable libraries (packages/plugin-sdk, packages/sdk) are built alike: `dist/` emptied, then
// `src/index.ts` bundled by esbuild with the core code it uses into `dist/index.js`, one ESM file
// with no dependencies. Each package's build.mjs adds its declarations.
import {mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {build} from 'esbuild'

/** Builds `<packageDir>/dist/index.js`; returns the dist folder. */
export async function bundleLibrary(packageDir) {
  const dist = join(packageDir, 'dist')
  rmSync(dist, {recursive: true, force: true})
  mkdirSync(dist, {recursive: true})
  await build({
    entryPoints: [join(packageDir, 'src', 'index.ts')],
    outfile: join(dist, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Only reachable from core's credential store, which tree-shaking drops; the packaging tests
    // check each bundle imports nothing but node: built-ins.
    external: ['@napi-rs/keyring'],
    logLevel: 'warning',
  })
  return dist
}
