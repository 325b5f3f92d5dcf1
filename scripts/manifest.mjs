// Generates (or with --clean removes) the root oclif.manifest.json. The manifest lets oclif list
// commands and print help without importing them, most of `bella --help`'s start-up cost; it is
// build output, never committed. The first-party plugins are bundled into the host (explicit
// command strategy, scripts/bundle.mjs), so the root manifest is the only one the CLI reads;
// --clean also removes manifests that older builds left in the workspaces.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const clean = process.argv.includes('--clean')
const oclifBin = join(root, 'node_modules', 'oclif', 'bin', 'run.js')

rmSync(join(root, 'oclif.manifest.json'), {force: true})
if (clean) {
  for (const group of ['packages', 'plugins']) {
    const base = join(root, group)
    if (existsSync(base)) for (const name of readdirSync(base)) rmSync(join(base, name, 'oclif.manifest.json'), {force: true})
  }
} else if (!existsSync(oclifBin)) {
  // Without the dev CLI oclif finds commands through the explicit target instead, only slower.
  console.error('manifest: oclif dev CLI not installed, skipping')
} else {
  execFileSync(process.execPath, [oclifBin, 'manifest'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, OCLIF_DISABLE_ENGINE_WARNING: '1', OCLIF_SKIP_NEW_VERSION_CHECK: '1', NODE_NO_WARNINGS: '1'},
  })
}
