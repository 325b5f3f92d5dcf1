import {describe, expect, it} from '@jest/globals'
import {commandLine} from '@bella/core'

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
