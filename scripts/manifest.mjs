// Generates (or with --clean removes) oclif.manifest.json for the root CLI and every workspace that
// declares oclif commands. Manifests let oclif list and load commands without importing them all,
// which is most of `bella --version`'s start-up cost; they are build output, never committed.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const clean = process.argv.includes('--clean')
const oclifBin = join(root, 'node_modules', 'oclif', 'bin', 'run.js')

const dirs = [root]
for (const group of ['packages', 'plugins']) {
  const base = join(root, group)
  if (!existsSync(base)) continue
  for (const name of readdirSync(base)) dirs.push(join(base, name))
}

for (const dir of dirs) {
  const pjsonPath = join(dir, 'package.json')
  if (!existsSync(pjsonPath)) continue
  const pjson = JSON.parse(readFileSync(pjsonPath, 'utf8'))
  if (!pjson.oclif?.commands) continue
  const manifest = join(dir, 'oclif.manifest.json')
  rmSync(manifest, {force: true})
  if (clean) continue
  if (!existsSync(oclifBin)) {
    // Production installs have no dev CLI; oclif then discovers commands by import, only slower.
    console.error(`manifest: oclif dev CLI not installed, skipping ${pjson.name}`)
    continue
  }
  execFileSync(process.execPath, [oclifBin, 'manifest'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, OCLIF_DISABLE_ENGINE_WARNING: '1', NODE_NO_WARNINGS: '1'},
  })
}
