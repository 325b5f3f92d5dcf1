import {describe, expect, it} from '@jest/globals'
import {Config} from '@oclif/core'
import {bella, isolatedHome, repoRoot} from '../helpers/cli.js'

describe('bella --version and --help', () => {
  it('--version (answered before oclif loads) prints exactly what oclif would', async () => {
    const config = await Config.load({root: repoRoot})
    const r = await bella(['--version'], {env: isolatedHome()})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${config.userAgent}\n`)
  })

  it('--help lists the commands of every plugin', async () => {
    const r = await bella(['--help'], {env: isolatedHome()})
    expect(r.code).toBe(0)
    for (const command of ['run', 'login', 'logout', 'whoami', 'emulator']) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
  })

  it('an unknown flag is a usage error (exit 2) naming it', async () => {
    const r = await bella(['whoami', '--bogus'], {env: isolatedHome()})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--bogus')
  })
})
