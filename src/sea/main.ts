/**
 * The single binary's entry (a Node single executable application; scripts/build-binary.mjs).
 * A SEA has no files to import, so everything oclif normally finds on disk is built here: the root
 * plugin comes from the package.json built into the binary, with its command cache pre-filled
 * from the bundled command map (oclif's explicit strategy, never imported from a file), help is
 * bundled, and no user plugins are loaded.
 *
 * This main script holds only the fast path's dispatch (`--version`, well-formed `run`): V8 loads
 * all of a SEA's main script at start, and with oclif and every command in it that alone cost
 * ~15 ms, more than the binary's start-up budget leaves. `run`'s code and the rest are embedded
 * assets, evaluated on demand (load-asset.ts).
 */
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {dispatchFastPath, versionLine} from '../fast-dispatch.js'
import {loadRest, loadRun} from './load-asset.js'

interface PackageJson {
  name: string
  version: string
  oclif: Record<string, unknown>
  [key: string]: unknown
}

/** The root package.json, built in by scripts/build-binary.mjs (esbuild `define`). */
declare const BELLA_PACKAGE_JSON: PackageJson

/**
 * The keychain addon (an optional native module) is loaded from node_modules beside the binary
 * when someone put it there; otherwise the 0600 file store is used, as on any keychain-less host.
 */
const keyringBesideBinary = async () => createRequire(process.execPath)('@napi-rs/keyring') as unknown

/** The run asset, set up to find the keychain addon (it has its own copy of core). */
async function runAsset() {
  const run = loadRun()
  run.setKeyringImporter(keyringBesideBinary)
  return run
}

async function main(argv: string[]): Promise<void> {
  if (await dispatchFastPath(argv, () => versionLine(BELLA_PACKAGE_JSON), runAsset)) return

  // oclif's engine check require()s its package.json from disk when it loads, which a SEA cannot
  // do (a warning on every run). Turned off only while oclif loads, so no child inherits it.
  process.env['OCLIF_DISABLE_ENGINE_WARNING'] = '1'
  const {Config, flush, Plugin, run, helpCommands, oclifPluginCommands, COMMANDS, pluginsUnavailable, setKeyringImporter} = loadRest()
  delete process.env['OCLIF_DISABLE_ENGINE_WARNING']
  setKeyringImporter(keyringBesideBinary)
  const root = dirname(process.execPath)
  const pjson: PackageJson = {
    ...BELLA_PACKAGE_JSON,
    oclif: {
      ...BELLA_PACKAGE_JSON.oclif,
      plugins: [],
      // Hooks are files oclif imports, which a SEA does not have; unknown commands are caught below.
      hooks: {},
      commands: {strategy: 'explicit', target: './bella.js', identifier: 'COMMANDS'},
    },
  }
  const plugin = new Plugin({root, pjson: pjson as never, isRoot: true, ignoreManifest: true})
  // Pre-filled so oclif never imports the (non-existent) target file.
  ;(plugin as unknown as {commandCache: Record<string, unknown>}).commandCache = {...helpCommands, ...oclifPluginCommands, ...pluginsUnavailable, ...COMMANDS}
  await plugin.load()
  const config = await Config.load({root, pjson: pjson as never, plugins: new Map([[plugin.name, plugin]]), userPlugins: false})
  try {
    await run(argv, config)
    await flush()
  } catch (error) {
    // oclif's own words when no command matched and no command_not_found hook answered.
    const unknown = /^command (\S+) not found$/.exec(error instanceof Error ? error.message : '')
    if (unknown) {
      const rest = loadRest()
      process.stderr.write(rest.renderError(rest.unknownCommandError(config, unknown[1]!)))
      process.exitCode = 2
      return
    }
    await loadRest().handleHostError(error, argv, config)
  }
}

main(process.argv.slice(2)).catch(async (error: Error) => loadRest().handleHostError(error, process.argv.slice(2)))
