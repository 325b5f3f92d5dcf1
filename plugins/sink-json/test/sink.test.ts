import {describe, expect, it} from '@jest/globals'
import {createRegistries} from '@bella/core'
import {jsonSink, registerSinks} from '../src/index.js'

// Behaviour every file sink shares (paths, modes, atomic writes, option errors) is checked by
// core's contract (contract.test.ts); this file holds what is particular to this package.
describe('the json sink', () => {
  it('registers as "json", owned by @bella/sink-json', () => {
    const registries = createRegistries()
    registerSinks(registries)
    expect(registries.sinks.list()).toEqual([{name: 'json', description: jsonSink.description, owner: '@bella/sink-json'}])
  })
})
