/**
 * The OS tools some process tests need, probed once per suite: a pseudo-terminal (`script`) for
 * Ctrl-C tests, a PID namespace (`unshare`) for PID 1 tests, a private mount namespace (`unshare
 * --mount`, `nsenter`) for full and read-only file systems. A suite without one skips those tests
 * and says why, instead of failing on a machine that cannot run them.
 */
import {it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

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

/**
 * A command-line prefix that runs its arguments in a private mount namespace with a tmpfs of
 * `sizeKb` KiB mounted on `dir` (an existing, empty folder). The mount is seen only by that
 * process (and, from outside, through `/proc/PID/root`), and it goes away with it: nothing leaks.
 * The command is exec'd, so its pid is the spawned one.
 */
export function inPrivateTmpfs(dir: string, sizeKb: number): string[] {
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${sizeKb}k tmpfs "$0" && exec "$@"`, dir]
}

/** Remounts `dir` (a mount point in `pid`'s mount namespace) read-only or read-write again. */
export function remount(pid: number, dir: string, how: 'ro' | 'rw'): void {
  const r = spawnSync('nsenter', [`--mount=/proc/${pid}/ns/mnt`, 'mount', '-o', `remount,${how}`, dir], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`remount,${how} of ${dir} failed: ${(r.stderr ?? r.error?.message ?? '').trim()}`)
}

/**
 * `it` when a tmpfs can be mounted, remounted read-only and entered with `nsenter` in a private
 * mount namespace here (root with CAP_SYS_ADMIN), else `it.skip` with the reason.
 */
export function itWithPrivateMounts(suite: string): typeof it.skip {
  const dir = mkdtempSync(join(tmpdir(), 'bella-mount-probe-'))
  try {
    const script = 'mount -o remount,ro "$0" && nsenter --version >/dev/null && ! touch "$0/x" 2>/dev/null'
    const probe = spawnSync(inPrivateTmpfs(dir, 16)[0]!, [...inPrivateTmpfs(dir, 16).slice(1), 'sh', '-c', script, dir], {encoding: 'utf8'})
    if (probe.status === 0) return it
    const why = (probe.stderr ?? probe.error?.message ?? '').trim() || `exit ${probe.status}`
    console.warn(`${suite}: full and read-only file system tests skipped: cannot mount a tmpfs in a private mount namespace here (${why}); run as root to cover them.`)
    return it.skip
  } finally {
    rmdirSync(dir)
  }
}
