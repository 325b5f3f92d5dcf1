// The plugin's commands by oclif id, for hosts that bundle it (oclif's explicit command strategy).
import type {Command} from '@oclif/core'
import ContextClear from './commands/context/clear.js'
import ContextGet from './commands/context/get.js'
import ContextInit from './commands/context/init.js'
import ContextShow from './commands/context/show.js'
import EnvironmentsList from './commands/environments/list.js'
import ProjectsList from './commands/projects/list.js'
import ProvidersList from './commands/providers/list.js'
import SecretsDelete from './commands/secrets/delete.js'
import SecretsExport from './commands/secrets/export.js'
import SecretsGet from './commands/secrets/get.js'
import SecretsImport from './commands/secrets/import.js'
import SecretsList from './commands/secrets/list.js'
import SecretsSet from './commands/secrets/set.js'

export const commands: Record<string, Command.Class> = {
  'projects:list': ProjectsList,
  'environments:list': EnvironmentsList,
  'providers:list': ProvidersList,
  'secrets:list': SecretsList,
  'secrets:get': SecretsGet,
  'secrets:set': SecretsSet,
  'secrets:delete': SecretsDelete,
  'secrets:export': SecretsExport,
  'secrets:import': SecretsImport,
  'context:init': ContextInit,
  'context:show': ContextShow,
  'context:get': ContextGet,
  'context:clear': ContextClear,
}
