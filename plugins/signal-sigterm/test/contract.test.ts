import {describe, it} from '@jest/globals'
import {signalContractChecks} from '@bella/core/testing'
import {registerSignals} from '../src/index.js'

describe('@bella/signal-sigterm satisfies the signal strategy contract', () => {
  for (const check of signalContractChecks((registries) => registerSignals(registries))) it(check.name, check.run)
})
