import {describe, expect, it} from '@jest/globals'
import {createRegistries} from '@bella/core'
import {dotenvSink, registerSinks} from '../src/index.js'

// Behaviour every file sink shares (paths, modes, atomic writes, option errors) is checked by
// core's contract (contract.test.ts); this file holds what is particular to this package.
describe('the dotenv sink', () => {
  it('registers as "dotenv", owned by @bella/sink-dotenv', () => {
    const registries = createRegistries()
    registerSinks(registries)
    expect(registries.sinks.list()).toEqual([{name: 'dotenv', description: dotenvSink.description, owner: '@bella/sink-dotenv'}])
  })
})
