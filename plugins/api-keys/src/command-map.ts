// The plugin's commands by oclif id, for hosts that bundle it (oclif's explicit command strategy).
import type {Command} from '@oclif/core'
import ApiKeysCreate from './commands/api-keys/create.js'
import ApiKeysList from './commands/api-keys/list.js'
import ApiKeysRevoke from './commands/api-keys/revoke.js'
import ApiKeysRotate from './commands/api-keys/rotate.js'

export const commands: Record<string, Command.Class> = {
  'api-keys:create': ApiKeysCreate,
  'api-keys:list': ApiKeysList,
  'api-keys:rotate': ApiKeysRotate,
  'api-keys:revoke': ApiKeysRevoke,
}
