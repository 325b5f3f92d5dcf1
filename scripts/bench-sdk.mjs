// The SDK's import cost for `npm run bench` (SPEC: importing it costs ≤ 1.3× `node -e 0`): the
// built bundle (packages/sdk/dist/index.js) imported by a bare node, against `node -e 0`, in its
// own interleaved runs. Kept apart from bench.mjs so either can change without the other.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function time(args) {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {stdio: ['ignore', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/** Medians of `node -e 0` and of importing the SDK; rows for the command table and the budget. */
export function measureSdkImport({root, runs, warmups}) {
  const bundle = pathToFileURL(join(root, 'packages', 'sdk', 'dist', 'index.js')).href
  // The import must have evaluated the module, or the row would measure nothing.
  const load = `import(${JSON.stringify(bundle)}).then((m) => { if (typeof m.createBellaConfig !== 'function') process.exit(1) })`
  const cases = {node: ['-e', '0'], sdk: ['-e', load]}
  const samples = {node: [], sdk: []}
  for (let i = 0; i < warmups + runs; i++) {
    for (const [id, args] of Object.entries(cases)) {
      const ms = time(args)
      if (i >= warmups) samples[id].push(ms)
    }
  }
  const node = median(samples.node)
  const sdk = median(samples.sdk)
  return {
    rows: [
      {label: '`node -e 0` (beside the SDK import)', ms: node},
      {label: "`node -e \"import('bella-sdk')\"` (packages/sdk/dist/index.js)", ms: sdk},
    ],
    budgets: [{what: 'importing the SDK / `node -e 0`', value: sdk / node, limit: 1.3, unit: '×'}],
  }
}
