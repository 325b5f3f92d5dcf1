// Property-based abuse tests: every name and value is written as a YAML string that `yaml` reads
// back exactly, as YAML 1.2 and as YAML 1.1 (where `yes`, `~`, NEL and U+2028 mean other things).
import {afterEach, describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import YAML from 'yaml'
import {assertFileSinkRoundTrip, sameSecrets, secretsMap} from '../../../test/helpers/abuse.js'
import {tempDirs} from '../../../packages/core/test/config/temp-dir.js'
import {renderYaml, yamlSink} from '../src/index.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('yaml sink: abuse', () => {
  it('renders any secrets so that YAML 1.2 and 1.1 parsers read back exactly them', () => {
    fc.assert(
      fc.property(secretsMap, (secrets) => {
        const text = renderYaml(secrets)
        expect(sameSecrets(YAML.parse(text, {maxAliasCount: -1}), secrets)).toBe(true)
        expect(sameSecrets(YAML.parse(text, {version: '1.1'}), secrets)).toBe(true)
      }),
      {numRuns: 400},
    )
  })

  it('through createFileSink, every written file reads back exactly', async () => {
    await assertFileSinkRoundTrip(yamlSink, 'secrets.yaml', () => dirs.make('bella-abuse-yaml-'))
  })
})
