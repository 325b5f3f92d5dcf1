import {describe, it} from '@jest/globals'
import {sinkContractChecks} from '@bella/core/testing'
import {registerSinks} from '../src/index.js'

describe('@bella/sink-json satisfies the sink strategy contract', () => {
  for (const check of sinkContractChecks((registries) => registerSinks(registries), {fileName: 'secrets.json'})) it(check.name, check.run)
})
