/**
 * Temporary folders for a test file, removed when it ends: tests write keys, tokens and secrets
 * into them, which must not outlive the run. Jest evaluates this module once per test file, so
 * the afterAll below belongs to the file that imported it.
 */
import {afterAll} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const made: string[] = []

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** A new folder under the system temp folder, named `<prefix>XXXXXX`, removed after the test file. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
