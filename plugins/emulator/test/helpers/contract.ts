// The contract files live in the repo's contract/ folder (copies of ../shared/contract).
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const repoRoot = join(pluginRoot, '..', '..')

export function loadContractJson<T = any>(name: 'vectors.json' | 'openapi.json'): T {
  return JSON.parse(readFileSync(join(repoRoot, 'contract', name), 'utf8')) as T
}
