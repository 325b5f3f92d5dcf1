/**
 * The oclif plugins' commands the single binary carries statically (a SEA cannot load plugins from
 * node_modules). These packages export no `commands` map, and their `exports` field hides the
 * command files, so they are imported by path; esbuild bundles them into the binary's asset.
 * `bella commands` (@oclif/plugin-commands) is left out: its table renderer needs ink and a
 * WebAssembly layout engine that cannot be bundled into CommonJS. `bella --help` lists commands.
 */
import type {Command} from '@oclif/core'
import Autocomplete from '../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js'
import AutocompleteCreate from '../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js'
import AutocompleteScript from '../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js'
import Version from '../../node_modules/@oclif/plugin-version/lib/commands/version.js'

export const oclifPluginCommands: Record<string, Command.Class> = {
  autocomplete: Autocomplete,
  'autocomplete:create': AutocompleteCreate,
  'autocomplete:script': AutocompleteScript,
  version: Version,
}
