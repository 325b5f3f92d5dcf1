import {describe, expect, it} from '@jest/globals'
import {createRegistries} from '@bella/core'
import {yamlSink, registerSinks} from '../src/index.js'

// Behaviour every file sink shares (paths, modes, atomic writes, option errors) is checked by
// core's contract (contract.test.ts); this file holds what is particular to this package.
describe('the yaml sink', () => {
  it('registers as "yaml", owned by @bella/sink-yaml', () => {
    const registries = createRegistries()
    registerSinks(registries)
    expect(registries.sinks.list()).toEqual([{name: 'yaml', description: yamlSink.description, owner: '@bella/sink-yaml'}])
  })
})
