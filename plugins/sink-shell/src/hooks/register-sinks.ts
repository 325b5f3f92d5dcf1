import type {Hook} from '@oclif/core'
import {registerSinks} from '../index.js'

const hook: Hook<'bella:sinks'> = async function (options) {
  registerSinks({sinks: options.registry})
}

export default hook
