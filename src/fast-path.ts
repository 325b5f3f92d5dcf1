/**
 * Start-up shortcuts taken before oclif loads. Importing @oclif/core alone costs ~80 ms (about
 * the cost of starting node itself), which the SPEC budgets cannot absorb, so the commonest
 * well-formed invocations are answered here; anything else (help, unknown flags, errors) falls
 * through to oclif, which stays the single authority on parsing and messages.
 */
import {readFileSync} from 'node:fs'
import {keepOutputErrorsFromStoppingBella} from '@bella/core/streams'

/** Handles argv when it can; resolves false to let oclif take over. */
export async function tryFastPath(argv: readonly string[], root: URL): Promise<boolean> {
  // The earliest point every command shares (bin/run.js calls this first): a closed stdout/stderr
  // must not crash bella, whichever command then runs (output-pipes.test.ts).
  keepOutputErrorsFromStoppingBella()
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${versionLine(root)}\n`)
    return true
  }
  if (argv[0] === 'run') {
    const {tryFastRun} = await import('@bella/plugin-run')
    const code = await tryFastRun(argv.slice(1))
    if (code === undefined) return false
    process.exitCode = code
    return true
  }
  return false
}

/** The same text as oclif's `config.userAgent`, which `bella --version` prints through oclif. */
export function versionLine(root: URL): string {
  const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {name: string; version: string}
  return `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
}
