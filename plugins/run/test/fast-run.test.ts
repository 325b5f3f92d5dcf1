import {describe, expect, it} from '@jest/globals'
import Run from '../src/commands/run.js'
import {FAST_RUN_OPTIONS, tryFastRun} from '../src/fast-run.js'

const WATCH_ONLY = ['watch', 'poll-interval', 'signal', 'kill-timeout']

describe('the fast run path', () => {
  it('understands exactly the flags of the oclif command, with the same short names and kinds', () => {
    // oclif adds --json at parse time when enableJsonFlag is set.
    const json = Run.enableJsonFlag ? {json: {type: 'boolean'}} : {}
    const oclifFlags: Record<string, {type: string; char?: string; allowNo?: boolean}> = {...Run.baseFlags, ...json, ...Run.flags} as never
    // Node 20's parseArgs has no negated booleans: an allowNo flag's --no-X is an option of its own.
    for (const [name, flag] of Object.entries(oclifFlags)) if (flag.allowNo) oclifFlags[`no-${name}`] = {type: 'boolean'}
    const expected = Object.keys(oclifFlags).filter((name) => !WATCH_ONLY.includes(name)).sort()
    expect(Object.keys(FAST_RUN_OPTIONS).sort()).toEqual(expected)
    for (const [name, option] of Object.entries(FAST_RUN_OPTIONS)) {
      const flag = oclifFlags[name]!
      expect({name, type: option.type, short: 'short' in option ? option.short : undefined}).toEqual({
        name,
        type: flag.type === 'boolean' ? 'boolean' : 'string',
        short: flag.char,
      })
    }
  })

  it.each([
    ['no -- separator', ['node', 'x.js']],
    ['nothing after --', ['--']],
    ['--watch (needs oclif for the strategy registry)', ['--watch', '--', 'true']],
    ['--help', ['--help', '--', 'true']],
    ['--explain (loaded lazily by the oclif command)', ['--explain', '--', 'true']],
    ['--json (only with --explain, rendered by oclif)', ['--json', '--', 'true']],
    ['an unknown flag', ['--bogus', '--', 'true']],
    ['a flag missing its value', ['-p', '--', 'true']],
    ['a stray positional before --', ['oops', '--', 'true']],
    ['both --mask and --no-mask (the last one wins, as oclif says)', ['--mask', '--no-mask', '--', 'true']],
  ])('leaves %s to oclif without side effects', async (_why, argv) => {
    await expect(tryFastRun(argv)).resolves.toBeUndefined()
  })
})
