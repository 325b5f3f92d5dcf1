import {describe, expect, it} from '@jest/globals'
import {Config} from '@oclif/core'
import {createRegistries, loadRegistries, type SignalDefinition} from '@bella/core'
import {repoRoot} from '../helpers/contract.js'

const fake = (name: string): SignalDefinition => ({name, description: `${name} strategy`, create: () => ({notify: async () => {}})})

describe('strategy registry', () => {
  it('refuses a name claimed twice, naming both plugins', () => {
    const {signals} = createRegistries()
    signals.register(fake('sighup'), '@bella/signal-sighup')
    expect(() => signals.register(fake('SIGHUP'), 'acme-signals')).toThrow(
      'signal strategy "sighup" is provided by both @bella/signal-sighup and acme-signals',
    )
  })

  it('answers an unknown name with a usage error listing what is available', () => {
    const {signals} = createRegistries()
    signals.register(fake('restart'), 'a')
    signals.register(fake('sighup'), 'b')
    let error: any
    try {
      signals.require('sigusr9', '--signal')
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({kind: 'usage', exitCode: 2, code: 'unknown_signal'})
    expect(error.message).toBe('--signal: unknown signal type "sigusr9"')
    expect(error.suggestions[0]).toBe('use one of: restart, sighup')
  })

  it('applies static registrars (bundles) before plugin hooks', async () => {
    const config = await Config.load({root: repoRoot})
    await expect(loadRegistries(config, [(r) => r.signals.register(fake('sighup'), 'bundle')])).rejects.toMatchObject({
      code: 'strategy_conflict',
    })
  })

  it('collects the signal strategies installed plugins contribute through the bella:signals hook', async () => {
    const config = await Config.load({root: repoRoot})
    const registries = await loadRegistries(config)
    expect(registries.signals.list()).toEqual([
      expect.objectContaining({name: 'none', owner: '@bella/signal-none'}),
      expect.objectContaining({name: 'restart', owner: '@bella/signal-restart'}),
      expect.objectContaining({name: 'sighup', owner: '@bella/signal-sighup'}),
      expect.objectContaining({name: 'sigterm', owner: '@bella/signal-sigterm'}),
    ])
  })
})
