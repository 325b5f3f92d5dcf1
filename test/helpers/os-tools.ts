/**
 * The OS tools some process tests need, probed once per suite: a pseudo-terminal (`script`) for
 * Ctrl-C tests, a PID namespace (`unshare`) for PID 1 tests. A suite without one skips those tests
 * and says why, instead of failing on a machine that cannot run them.
 */
import {it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

/** `unshare` arguments that make the command PID 1 of a new PID namespace, with its own /proc. */
export const UNSHARE = ['--pid', '--fork', '--mount-proc']

/** `it` when util-linux `script` can give a command a pseudo-terminal here, else `it.skip`. */
export function itWithPty(suite: string): typeof it.skip {
  if (spawnSync('script', ['-qfec', 'true', '/dev/null'], {stdio: 'ignore'}).status === 0) return it
  console.warn(`${suite}: terminal tests skipped: \`script\` (util-linux) is not available to create a pseudo-terminal`)
  return it.skip
}

/** `it` when `unshare` may create a PID namespace here (root, or user namespaces), else `it.skip`. */
export function itAsPid1(suite: string): typeof it.skip {
  const probe = spawnSync('unshare', [...UNSHARE, 'true'], {encoding: 'utf8'})
  if (probe.status === 0) return it
  const why = (probe.stderr ?? probe.error?.message ?? '').trim() || `exit ${probe.status}`
  console.warn(`${suite}: PID 1 tests skipped: \`unshare ${UNSHARE.join(' ')}\` is not permitted here (${why}); run as root to cover PID 1.`)
  return it.skip
}

/** The pid, as seen from outside the namespace, of the PID 1 that `unshare` started: its child. */
export function outerPid(unsharePid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === unsharePid) return Number(entry)
    } catch {}
  }

  throw new Error(`no child of unshare (${unsharePid}) found`)
}
