/**
 * Everything the single binary needs beyond the fast path: oclif, help and every command. It is
 * bundled apart from the binary's main script and embedded as an asset, with its own V8 code
 * cache, and evaluated only when a command goes through oclif (see main.ts and
 * scripts/build-binary.mjs): the main script stays small, so `bella --version` and `bella run`
 * start as fast as the fast path allows. It has its own copy of core's modules.
 */
export {Config, flush, Plugin, run} from '@oclif/core'
export {handleHostError} from '../host-errors.js'
export {unknownCommandError} from '../hooks/command-not-found.js'
export {renderError} from '@bella/core/runtime'
export {commands as helpCommands} from '@oclif/plugin-help'
export {setKeyringImporter} from '@bella/core/runtime'
export {COMMANDS} from '../command-map.js'
export {pluginsUnavailable} from './plugins-unavailable.js'
export {oclifPluginCommands} from './oclif-commands.js'
