import {readdirSync, readFileSync} from 'node:fs'

/**
 * bella as PID 1 (`ENTRYPOINT ["bella","run","--"]`).
 *
 * What works: signals (every forwarded signal has a handler, so the kernel delivers them to init),
 * exit status passthrough, and reaping of bella's *own* child (libuv waits for the pids it spawned).
 *
 * What Node cannot do: reap orphans. When a grandchild outlives its parent it is re-parented to
 * PID 1, and when it exits it stays a zombie: libuv's SIGCHLD handler only calls
 * waitpid(pid, WNOHANG) for the pids it spawned, never waitpid(-1), and neither Node 20 nor any
 * module without a native addon can call waitpid(-1) or prctl(PR_SET_CHILD_SUBREAPER) (verified
 * with `unshare --pid --fork --mount-proc`: the orphan stays in state Z under node as PID 1).
 *
 * So instead of pretending, we watch for it: on SIGCHLD we look in /proc for zombies whose parent
 * is bella and that bella did not start, and say once, on stderr, what to do (an init in front of
 * bella: `docker run --init`, compose `init: true`, or `tini --`). Programs that never orphan
 * processes never see the message.
 */
export interface OrphanWatchOptions {
  /** Pids bella started itself (its libuv reaps those); consulted at each check. */
  ownChildren: () => Iterable<number>
  /** Receives the hint once. */
  warn: (message: string) => void
}

export interface OrphanWatch {
  stop(): void
}

export function watchForOrphanZombies(options: OrphanWatchOptions): OrphanWatch {
  let scheduled = false
  let warned = false
  const check = () => {
    scheduled = false
    if (warned) return
    const own = new Set(options.ownChildren())
    const zombies = findZombieChildren(process.pid).filter((pid) => !own.has(pid))
    if (zombies.length === 0) return
    warned = true
    options.warn(orphanHint(zombies.length))
  }

  const onChild = () => {
    // Coalesce a burst of exits into one /proc scan, after libuv has reaped our own child.
    if (scheduled || warned) return
    scheduled = true
    setImmediate(check).unref()
  }

  process.on('SIGCHLD', onChild)
  return {
    stop() {
      process.removeListener('SIGCHLD', onChild)
    },
  }
}

export function orphanHint(count: number): string {
  return (
    `bella is PID 1 and cannot reap orphaned processes (${count} exited ` +
    `${count === 1 ? 'grandchild is left as a zombie' : 'grandchildren are left as zombies'}). ` +
    'Run the container with an init in front of bella: `docker run --init`, ' +
    '`init: true` in compose, or ENTRYPOINT ["tini", "--", "bella", "run", "--"].'
  )
}

/** Pids of zombie (state Z) processes whose parent is `parentPid`. Linux only; [] elsewhere. */
export function findZombieChildren(parentPid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }

  const zombies: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // exited (and reaped) while we looked
    }

    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' && Number(fields[1]) === parentPid) zombies.push(Number(entry))
  }

  return zombies
}
