/**
 * Base class for bella commands: renders every error the same way (oclif's parse errors too) (stderr, or a JSON envelope on
 * stdout with --json) and exits with the code of the error's kind.
 */
import {Command, Flags} from '@oclif/core'
import {createOutput, errorEnvelope, renderError, type Output} from './output.js'
import {exitCodeOf} from './errors.js'
import {toUsageError} from './parse-errors.js'

export abstract class BellaCommand extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({description: 'Print diagnostic detail on stderr (never secret values).', default: false}),
  }

  private cachedOutput: Output | undefined

  protected get out(): Output {
    this.cachedOutput ??= createOutput({verbose: this.argv.includes('--verbose')})
    return this.cachedOutput
  }

  protected override async catch(thrown: Error & {exitCode?: number}): Promise<never> {
    // oclif's parse errors become bella usage errors: one line naming the command, then Try: lines.
    const error = toUsageError(thrown, this.id, this.config.bin)
    const code = exitCodeOf(error)
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(errorEnvelope(error), null, 2)}\n`)
    else process.stderr.write(renderError(error))
    return this.exit(code) as never
  }
}
