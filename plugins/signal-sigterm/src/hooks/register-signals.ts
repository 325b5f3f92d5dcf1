import type {Hook} from '@oclif/core'
import {registerSignals} from '../index.js'

const hook: Hook<'bella:signals'> = async function (options) {
  registerSignals({signals: options.registry})
}

export default hook
