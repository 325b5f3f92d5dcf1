import {mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A fresh real directory per test; `cleanup` removes every one made so far. */
export function tempDirs() {
  const made: string[] = []
  return {
    make(prefix = 'bella-test-'): string {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
      made.push(dir)
      return dir
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
    },
  }
}
