import {describe, expect, it} from '@jest/globals'
import {Config} from '@oclif/core'
import {createRegistries, loadRegistries, type Registries, type SignalDefinition} from '@bella/core'
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

  it('applies static registrars (bundles) first; a conflict among them is a bug and throws', async () => {
    const config = await Config.load({root: repoRoot})
    const twice = (r: Registries) => r.signals.register(fake('sighup'), 'bundle')
    await expect(loadRegistries(config, {staticRegistrars: [twice, twice]})).rejects.toMatchObject({code: 'strategy_conflict'})
  })

  it('reports a plugin whose hook fails by name, and keeps every other strategy', async () => {
    const config = await Config.load({root: repoRoot})
    const broken = {name: 'acme-broken', root: '/nowhere'}
    const runHook = config.runHook.bind(config)
    config.runHook = (async (event: string, options: unknown) => {
      const result = await runHook(event as 'bella:signals', options as never)
      const error = new Error('signal strategy "sighup" is provided by both bundle and acme-broken')
      return {...result, failures: [...result.failures, {error, plugin: broken}]}
    }) as typeof config.runHook
    const warnings: string[] = []
    const registries = await loadRegistries(config, {
      staticRegistrars: [(r) => r.signals.register(fake('sighup'), 'bundle')],
      warn: (m) => warnings.push(m),
    })
    expect(registries.signals.get('sighup')).toBeDefined()
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('plugin acme-broken failed to register its strategies, so they are unavailable')
    expect(warnings[0]).toContain('bella plugins uninstall acme-broken')
  })
})
