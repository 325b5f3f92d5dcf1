/**
 * Every command bella ships, by oclif id: the target of oclif's explicit command strategy. The
 * first-party plugins are bundled into the host rather than loaded as oclif plugins, so the npm
 * package needs no unpublished workspace packages and the single binary needs no files on disk.
 * Importing this module also registers the built-in strategies, before any command can run.
 */
import {registerBuiltinStrategies} from '@bella/core/runtime'
import type {Command} from '@oclif/core'
import {commands as agentCommands} from '@bella/plugin-agent/commands'
import {commands as apiKeysCommands} from '@bella/plugin-api-keys/commands'
import {commands as emulatorCommands} from '@bella/plugin-emulator/commands'
import {commands as execCommands} from '@bella/plugin-exec/commands'
import {commands as issueCommands} from '@bella/plugin-issue/commands'
import {commands as runCommands} from '@bella/plugin-run/commands'
import {commands as secretsCommands} from '@bella/plugin-secrets/commands'
import {BUILTIN_STRATEGIES} from './builtin-strategies.js'
import ConfigGet from './commands/config/get.js'
import ConfigList from './commands/config/list.js'
import ConfigSet from './commands/config/set.js'
import ConfigUnset from './commands/config/unset.js'
import Login from './commands/login.js'
import Logout from './commands/logout.js'
import Whoami from './commands/whoami.js'

registerBuiltinStrategies(...BUILTIN_STRATEGIES)

export const COMMANDS: Record<string, Command.Class> = {
  login: Login,
  logout: Logout,
  whoami: Whoami,
  'config:get': ConfigGet,
  'config:set': ConfigSet,
  'config:unset': ConfigUnset,
  'config:list': ConfigList,
  ...runCommands,
  ...agentCommands,
  ...execCommands,
  ...apiKeysCommands,
  ...issueCommands,
  ...secretsCommands,
  ...emulatorCommands,
}
