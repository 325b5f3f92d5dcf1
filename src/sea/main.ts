/**
 * The single binary's entry (a Node single executable application; scripts/build-binary.mjs).
 * A SEA has no files to import, so everything oclif normally finds on disk is built here: the root
 * plugin comes from the package.json built into the binary, with its command cache pre-filled
 * from the bundled command map (oclif's explicit strategy, never imported from a file), help is
 * bundled, and no user plugins are loaded. esbuild turns this module into one CommonJS file.
 */
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {setKeyringImporter} from '@bella/core/runtime'
import {Config, flush, handle, Plugin, run} from '@oclif/core'
import {commands as helpCommands} from '@oclif/plugin-help'
import {COMMANDS} from '../command-map.js'
import {tryFastPath, versionLine} from '../fast-path.js'
import {pluginsUnavailable} from './plugins-unavailable.js'

interface PackageJson {
  name: string
  version: string
  oclif: Record<string, unknown>
  [key: string]: unknown
}

/** The root package.json, built in by scripts/build-binary.mjs (esbuild `define`). */
declare const BELLA_PACKAGE_JSON: PackageJson

async function main(argv: string[]): Promise<void> {
  // The keychain addon (an optional native module) is loaded from node_modules beside the binary
  // when someone put it there; otherwise the 0600 file store is used, as on any keychain-less host.
  setKeyringImporter(async () => createRequire(process.execPath)('@napi-rs/keyring'))
  if (await tryFastPath(argv, () => versionLine(BELLA_PACKAGE_JSON))) return

  const root = dirname(process.execPath)
  const pjson: PackageJson = {
    ...BELLA_PACKAGE_JSON,
    oclif: {
      ...BELLA_PACKAGE_JSON.oclif,
      plugins: [],
      commands: {strategy: 'explicit', target: './bella.js', identifier: 'COMMANDS'},
    },
  }
  const plugin = new Plugin({root, pjson: pjson as never, isRoot: true, ignoreManifest: true})
  // Pre-filled so oclif never imports the (non-existent) target file.
  ;(plugin as unknown as {commandCache: Record<string, unknown>}).commandCache = {...helpCommands, ...pluginsUnavailable, ...COMMANDS}
  await plugin.load()
  const config = await Config.load({root, pjson: pjson as never, plugins: new Map([[plugin.name, plugin]]), userPlugins: false})
  await run(argv, config)
  await flush()
}

main(process.argv.slice(2)).catch(async (error: Error) => handle(error))
