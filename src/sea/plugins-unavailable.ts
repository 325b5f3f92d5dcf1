/**
 * `bella plugins …` in the single binary. A binary has no node_modules to install into and no npm
 * to install with, so it carries only the built-in sinks and signals; it says so plainly instead
 * of failing obscurely. The npm package (bella-cli) supports plugins.
 */
import {BellaCommand, usageError} from '@bella/core'
import type {Command} from '@oclif/core'

const WHY = 'the single bella binary cannot load plugins: it carries only the built-in sinks (dotenv, json, yaml, shell) and signals (restart, sighup, sigterm, none)'
const INSTEAD = 'to use plugins, install the npm package instead: npm install -g bella-cli (or the bella-cli-<version>.tgz tarball)'

class PluginsList extends BellaCommand {
  static override description = 'Plugins are not available in the single binary (install the npm package to use them).'
  static override strict = false

  async run(): Promise<void> {
    this.out.info(`No plugins: ${WHY}.`)
    this.out.info(`  ${INSTEAD}`)
  }
}

class PluginsChange extends BellaCommand {
  static override description = 'Plugins are not available in the single binary (install the npm package to use them).'
  static override strict = false
  static override hidden = true

  async run(): Promise<void> {
    throw usageError(`${WHY}.`, {code: 'plugins_unavailable', suggestions: [INSTEAD]})
  }
}

export const pluginsUnavailable: Record<string, Command.Class> = Object.fromEntries([
  ['plugins', PluginsList],
  ...['install', 'link', 'uninstall', 'update', 'reset', 'inspect', 'add', 'remove', 'unlink'].map((verb) => [`plugins:${verb}`, PluginsChange]),
])
