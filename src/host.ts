/**
 * What bin/run.js runs when the fast path did not answer: oclif, with bella's error path
 * (host-errors.ts) in place of the one `execute` brings.
 */
import {Config, flush, run, settings} from '@oclif/core'
import {handleHostError} from './host-errors.js'

export async function runOclif(argv: string[], dir: string): Promise<void> {
  // Plugins are JavaScript: oclif's TypeScript auto-transpiling of linked plugins is a development
  // aid bella does not offer, and its "cannot be auto-transpiled" warning only confuses.
  settings.enableAutoTranspile = false
  let config: Config | undefined
  try {
    config = await Config.load(dir)
    await run(argv, config)
    await flush()
  } catch (error) {
    await handleHostError(error, argv, config)
  }
}
