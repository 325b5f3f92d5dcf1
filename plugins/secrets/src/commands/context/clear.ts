import {BellaCommand} from '@bella/core'
import {contextClear} from '../../context-service.js'

export default class ContextClear extends BellaCommand {
  static override summary = 'Remove .bella from this folder (folders above are left alone).'
  static override enableJsonFlag = true

  async run(): Promise<{path: string; removed: boolean}> {
    const result = await contextClear(process.cwd())
    if (!this.jsonEnabled()) this.out.info(result.removed ? `Removed ${result.path}` : `No .bella in this folder (${result.path}); nothing to remove.`)
    return result
  }
}
