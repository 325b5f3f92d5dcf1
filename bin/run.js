#!/usr/bin/env node
// The fast path answers common invocations before oclif loads (see src/fast-path.ts). dist/cli/ is
// the esbuild bundle of the host and its first-party plugins (scripts/bundle.mjs): what the npm
// package ships, and what every test runs. Everything else goes through oclif (src/host.ts), whose
// errors print the way bella's do (src/host-errors.ts).
// (tryFastPath installs the guard that keeps a closed stdout/stderr from crashing bella.)
const root = new URL('../', import.meta.url)
const {tryFastPath, packageVersionLine} = await import('../dist/cli/fast-path.js')
if (!(await tryFastPath(process.argv.slice(2), () => packageVersionLine(root)))) {
  const {runOclif} = await import('../dist/cli/host.js')
  await runOclif(process.argv.slice(2), import.meta.url)
}
