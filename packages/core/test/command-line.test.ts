import {describe, expect, it} from '@jest/globals'
import {commandLine, parseCommandFlags} from '@bella/core'

describe('the command line after --', () => {
  it('comes from the raw argv, in order, even with values repeated before --', () => {
    expect(commandLine(['-e', 'dev', '--', 'node', '-e', '1'], ['-e', 'node', '1'], 'run')).toEqual(['node', '-e', '1'])
    expect(commandLine(['--', 'a', '--', 'b'], ['a', 'b'], 'run')).toEqual(['a', '--', 'b'])
  })

  it('is empty when nothing was given (the command then says it needs one)', () => {
    expect(commandLine(['--provider', 'pg'], [], 'exec')).toEqual([])
  })

  it('without --, refuses with a usage error showing the -- form', () => {
    expect(() => commandLine(['node', 'app.js'], ['node', 'app.js'], 'run')).toThrow(
      expect.objectContaining({kind: 'usage', code: 'command_needs_dashdash', suggestions: ['bella run [flags] -- node [its arguments]']}),
    )
  })
})

describe('words before --', () => {
  it('are refused, not dropped: no flag took them and they are not the command', () => {
    const error = (() => {
      try {
        commandLine(['--max-stale', '3', 'weeks', '--', 'true'], ['weeks', 'true'], 'run')
      } catch (e) {
        return e as {code?: string; message: string}
      }
      return undefined
    })()
    expect(error?.code).toBe('unexpected_argument')
    expect(error?.message).toBe('bella run does not take "weeks" before --')
    // The same word after -- is the command's, however oclif ordered its argv.
    expect(commandLine(['-p', 'x', '--', 'x', 'x'], ['x', 'x'], 'run')).toEqual(['x', 'x'])
  })
})

describe('flag errors of a command that takes -- CMD', () => {
  const failing = async () => {
    throw Object.assign(new Error('Flag --environment can only be specified once'), {oclif: {exit: 2}})
  }

  it('without --, keep the parser’s words and say how to separate the command', async () => {
    await expect(parseCommandFlags(['-e', 'dev', 'node', '-e', '1'], 'exec', failing)).rejects.toMatchObject({
      kind: 'usage',
      message: 'Flag --environment can only be specified once',
      suggestions: ['if a flag belongs to the command, put the command after --: bella exec [flags] -- CMD [ARGS...]'],
    })
  })

  it('with --, the error is the parser’s, as a usage error pointing at --help; a successful parse passes through', async () => {
    await expect(parseCommandFlags(['-e', 'dev', '-e', 'x', '--', 'node'], 'run', failing)).rejects.toMatchObject({
      kind: 'usage',
      message: 'Flag --environment can only be specified once',
      suggestions: ['bella run --help'],
    })
    await expect(parseCommandFlags(['--', 'node'], 'run', async () => 'parsed')).resolves.toBe('parsed')
  })
})
