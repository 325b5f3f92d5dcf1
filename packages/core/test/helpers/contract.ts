// The contract files are copied into the repo (contract/) so a clone is self-contained;
// contract-sync.test.ts checks the copies against ../shared/contract when that folder exists.
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..')

export function loadContractJson<T = any>(name: 'vectors.json' | 'openapi.json'): T {
  return JSON.parse(readFileSync(join(repoRoot, 'contract', name), 'utf8')) as T
}
