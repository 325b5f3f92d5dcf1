#!/usr/bin/env node
// The fast path answers common invocations before oclif loads (see src/fast-path.ts). dist/cli/ is
// the esbuild bundle of the host and its first-party plugins (scripts/bundle.mjs): what the npm
// package ships, and what every test runs.
// (tryFastPath installs the guard that keeps a closed stdout/stderr from crashing bella.)
const root = new URL('../', import.meta.url)
const {tryFastPath, packageVersionLine} = await import('../dist/cli/fast-path.js')
if (!(await tryFastPath(process.argv.slice(2), () => packageVersionLine(root)))) {
  const {execute, settings} = await import('@oclif/core')
  // Plugins are JavaScript: oclif's TypeScript auto-transpiling of linked plugins is a development
  // aid bella does not offer, and its "cannot be auto-transpiled" warning only confuses.
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
