import {describe, expect, it} from '@jest/globals'
import {Args, Errors, Flags, Parser} from '@oclif/core'
import {isBellaError, renderError, toUsageError} from '@bella/core'

const flags = {
  watch: Flags.boolean({char: 'w'}),
  name: Flags.string({required: true}),
  ttl: Flags.integer(),
  secret: Flags.boolean({hidden: true}),
}

/** What oclif's parser throws for argv, as a bella error of `api-keys:create`. */
async function usageOf(argv: string[], args = {}): Promise<unknown> {
  try {
    await Parser.parse(argv, {flags, args, strict: true})
  } catch (error) {
    return toUsageError(error, 'api-keys:create')
  }
  throw new Error(`oclif accepted ${argv.join(' ')}`)
}

describe('oclif parse errors as bella usage errors', () => {
  it('an unknown flag names the command, suggests the closest flag and the command help', async () => {
    const error = await usageOf(['--name', 'x', '--wacth'])
    expect(error).toMatchObject({kind: 'usage', code: 'unknown_flag', message: 'bella api-keys create has no flag --wacth'})
    expect(renderError(error)).toBe(
      'Error: bella api-keys create has no flag --wacth\n  Try: did you mean --watch?\n  Try: bella api-keys create --help\n',
    )
  })

  it('a missing required flag is one line: the command needs --name', async () => {
    expect(renderError(await usageOf([]))).toBe('Error: bella api-keys create needs --name\n  Try: bella api-keys create --help\n')
  })

  it("a value the flag's parser refuses: one line, no tab, no 'See more help'", async () => {
    const error = await usageOf(['--name', 'x', '--ttl', '5y'])
    expect((error as Error).message).toBe('invalid value for --ttl: expected an integer but received: 5y')
    expect(renderError(error)).not.toMatch(/\t|See more help| › /)
  })

  it('missing and unexpected arguments', async () => {
    const missing = await usageOf(['--name', 'x'], {id: Args.string({required: true, description: 'The key id.'})})
    expect(missing).toMatchObject({code: 'missing_argument', message: 'bella api-keys create needs ID (The key id)'})
    expect(await usageOf(['--name', 'x', 'extra'])).toMatchObject({code: 'unexpected_argument', message: 'bella api-keys create does not take "extra"'})
  })

  it('anything else passes through unchanged: bella errors, exits, plain errors', () => {
    const plain = new Error('boom')
    const exit = new Errors.ExitError(3)
    expect(toUsageError(plain, 'run')).toBe(plain)
    expect(toUsageError(exit, 'run')).toBe(exit)
    expect(isBellaError(toUsageError(new Errors.CLIError('Flag --x expects a value'), 'run'))).toBe(true)
  })
})
