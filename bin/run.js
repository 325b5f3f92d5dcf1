#!/usr/bin/env node
// The fast path answers common invocations before oclif loads (see src/fast-path.ts). dist/cli/ is
// the esbuild bundle of the host and its first-party plugins (scripts/bundle.mjs): what the npm
// package ships, and what every test runs.
const root = new URL('../', import.meta.url)
const {tryFastPath, packageVersionLine} = await import('../dist/cli/fast-path.js')
if (!(await tryFastPath(process.argv.slice(2), () => packageVersionLine(root)))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
