/**
 * Start-up shortcuts taken before oclif loads. Importing @oclif/core alone costs ~80 ms (about
 * the cost of starting node itself), which the SPEC budgets cannot absorb, so the commonest
 * well-formed invocations are answered here; anything else (help, unknown flags, errors) falls
 * through to oclif, which stays the single authority on parsing and messages.
 *
 * Where `bella run`'s code comes from is the caller's choice (`loadRun`): the npm package imports
 * the run plugin (fast-path.ts), the single binary evaluates an embedded asset with a code cache
 * warmed by a real run (sea/main.ts), so this module imports neither.
 */
import {keepOutputErrorsFromStoppingBella} from '@bella/core/streams'

export interface FastRun {
  /** Resolves to the exit code, or to undefined when oclif should handle argv. */
  tryFastRun(argv: readonly string[]): Promise<number | undefined>
}

/**
 * Handles argv when it can; resolves false to let oclif take over. `userAgent` is the version line
 * (read from package.json by the npm package, built in by the single binary).
 */
export async function dispatchFastPath(argv: readonly string[], userAgent: () => string, loadRun: () => Promise<FastRun>): Promise<boolean> {
  // The earliest point every command shares (bin/run.js and the binary call this first): a closed
  // stdout/stderr must not crash bella, whichever command then runs (output-pipes.test.ts).
  keepOutputErrorsFromStoppingBella()
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${userAgent()}\n`)
    return true
  }
  if (argv[0] === 'run') {
    const {tryFastRun} = await loadRun()
    const code = await tryFastRun(argv.slice(1))
    if (code === undefined) return false
    process.exitCode = code
    return true
  }
  return false
}

/** The same text as oclif's `config.userAgent`, which `bella --version` prints through oclif. */
export function versionLine(pjson: {name: string; version: string}): string {
  return `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
}
