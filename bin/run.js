#!/usr/bin/env node
// The fast path answers common invocations before oclif loads (see src/fast-path.ts); it is
// bundled into one file at build time, with the unbundled modules as the fallback.
// (tryFastPath installs the guard that keeps a closed stdout/stderr from crashing bella.)
const {tryFastPath} = await import('../dist/fast-path.bundle.js').catch(() => import('../dist/fast-path.js'))

const root = new URL('../', import.meta.url)
if (!(await tryFastPath(process.argv.slice(2), root))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
