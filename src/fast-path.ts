/**
 * The npm package's start-up shortcuts (bin/run.js): fast-dispatch.ts with the run plugin imported
 * only when `bella run` is asked for.
 */
import {readFileSync} from 'node:fs'
import {dispatchFastPath, versionLine} from './fast-dispatch.js'

export {versionLine} from './fast-dispatch.js'

/** Handles argv when it can; resolves false to let oclif take over. */
export function tryFastPath(argv: readonly string[], userAgent: () => string): Promise<boolean> {
  return dispatchFastPath(argv, userAgent, () => import('@bella/plugin-run'))
}

/** The version line of the package whose root folder is `root`. */
export function packageVersionLine(root: URL): string {
  return versionLine(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {name: string; version: string})
}
