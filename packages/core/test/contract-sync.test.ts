import {describe, expect, it} from '@jest/globals'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {repoRoot} from './helpers/contract.js'

// contract/ holds copies of the shared API contract so a clone is self-contained. Where the
// shared folder sits beside the repository (the team's machines and CI), the copies must match it.
const shared = join(repoRoot, '..', 'shared', 'contract')
const describeWhenShared = existsSync(shared) ? describe : describe.skip

describeWhenShared('contract/ copies match ../shared/contract', () => {
  for (const name of ['openapi.json', 'vectors.json']) {
    it(`${name} is identical`, () => {
      expect(readFileSync(join(repoRoot, 'contract', name), 'utf8')).toBe(readFileSync(join(shared, name), 'utf8'))
    })
  }
})
