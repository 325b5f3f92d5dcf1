import {describe, expect, it} from '@jest/globals'
import {ChildProcessHandle} from '../../src/process/index.js'
import {rejection} from '../helpers/errors.js'

describe('ChildProcessHandle.start: errors from Node never carry a secret', () => {
  it("a spawn that Node refuses synchronously becomes a bella error passed through the spec's redactor", async () => {
    const value = `hunter2-${'z'.repeat(20)}\u0000tail`
    const error = await rejection(
      ChildProcessHandle.start({
        command: process.execPath,
        args: ['-e', '0'],
        env: {PATH: process.env.PATH ?? '/usr/bin', DB_PASSWORD: value},
        redact: (text) => text.split('hunter2-').join('*****'),
      }),
    )
    expect(error.message).not.toContain('hunter2')
    expect(error.message).toContain('DB_PASSWORD')
    expect(error.cause).toBeUndefined()
  })
})
