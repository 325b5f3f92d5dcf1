import {describe, it} from '@jest/globals'
import {sinkContractChecks} from '@bella/core/testing'
import {registerSinks} from '../src/index.js'

describe('@bella/sink-shell satisfies the sink strategy contract', () => {
  for (const check of sinkContractChecks((registries) => registerSinks(registries), {fileName: 'secrets.sh'})) it(check.name, check.run)
})
