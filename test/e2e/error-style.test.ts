// One error style: oclif's own parse errors print like bella's (Error: + Try: lines, exit 2), inside
// bella's commands (BellaCommand.catch) and outside them (the host's error path, src/host-errors.ts).
import {afterAll, describe, expect, it} from '@jest/globals'
import {rmSync} from 'node:fs'
import {bella, isolatedHome} from '../helpers/cli.js'

const home = isolatedHome()
afterAll(() => rmSync(home.HOME, {recursive: true, force: true}))

const run = (args: string[]) => bella(args, {env: home, timeoutMs: 15_000})

describe('parse errors in the bella style', () => {
  it.each([
    [['api-keys', 'create', '--bogus', '-n', 'x'], 'Error: bella api-keys create has no flag --bogus\n  Try: bella api-keys create --help\n'],
    [['api-keys', 'create'], 'Error: bella api-keys create needs --name\n  Try: bella api-keys create --help\n'],
    [['exec', '--provider', 'pg', '--ttl', '5y', '--', 'true'], 'Error: invalid value for --ttl: expected an integer but received: 5y\n  Try: bella exec --help\n'],
    [['run', '--watchh', '--', 'true'], 'Error: bella run has no flag --watchh\n  Try: did you mean --watch?\n  Try: bella run --help\n'],
    [['autocomplete', '--bogus'], 'Error: bella autocomplete has no flag --bogus\n  Try: bella autocomplete --help\n'],
  ])('bella %j: one Error line, Try lines, exit 2', async (args, expected) => {
    const r = await run(args)
    expect(r.stderr).toBe(expected)
    expect(r.stdout).toBe('')
    expect(r.code).toBe(2)
  })

  it('--json keeps the error envelope, on stdout', async () => {
    const r = await run(['api-keys', 'create', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      error: {code: 'missing_flag', message: 'bella api-keys create needs --name', exitCode: 2, suggestions: ['bella api-keys create --help']},
    })
  })
})
