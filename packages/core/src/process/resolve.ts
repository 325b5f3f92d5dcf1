import {accessSync, constants as fsConstants, statSync} from 'node:fs'
import {delimiter, resolve as resolvePath} from 'node:path'
import {BellaError} from '../errors.js'

/** glibc's execvp default (`confstr(_CS_PATH)`) when PATH is unset. */
const DEFAULT_PATH = '/bin:/usr/bin'

export interface ResolveCommandOptions {
  /** The directory the child will start in; relative commands and PATH entries resolve against it. */
  cwd?: string
}

type Probe = 'ok' | 'missing' | 'directory' | 'not-executable'

/**
 * Find the program `command` names, the way execvp(3) does (no shell): a name containing `/` is
 * used as a path; any other name is searched in `pathEnv` (empty entries mean the current
 * directory). Returns an absolute path.
 *
 * We resolve ourselves rather than letting spawn fail because a spawn error arrives as a bare
 * ENOENT/EACCES: resolving first lets us tell "not found" (127) from "found but not executable"
 * (126) and say *which* file was found, like a shell does.
 *
 * Pass the PATH of the environment the child will get (execvp searches the new environment's PATH
 * in `env PATH=… cmd`, and so does libuv).
 *
 * @throws BellaError kind `notFound` (exit 127) or `cannotExecute` (exit 126).
 */
export function resolveCommand(command: string, pathEnv: string | undefined, options: ResolveCommandOptions = {}): string {
  const cwd = options.cwd ?? process.cwd()
  if (command === '') {
    throw new BellaError('notFound', 'No command given to run.', {
      code: 'command_not_found',
      suggestions: ['Put the command after `--`, e.g. `bella run -- node server.js`.'],
    })
  }

  if (command.includes('/')) {
    const full = resolvePath(cwd, command)
    const probe = probeExecutable(full)
    if (probe === 'ok') return full
    if (probe === 'missing') {
      throw new BellaError('notFound', `Command not found: ${command} (no such file: ${full}).`, {
        code: 'command_not_found',
        suggestions: ['Check the path, or drop the directory part to search PATH.'],
      })
    }

    throw cannotExecute(command, full, probe)
  }

  // execvp keeps searching after a match it cannot execute and reports EACCES only when nothing
  // later on PATH works; we do the same so a stray non-executable file does not shadow a good one.
  let blocked: {path: string; probe: Probe} | undefined
  for (const entry of (pathEnv ?? DEFAULT_PATH).split(delimiter)) {
    const full = resolvePath(cwd, entry === '' ? '.' : entry, command)
    const probe = probeExecutable(full)
    if (probe === 'ok') return full
    if (probe !== 'missing' && blocked === undefined) blocked = {path: full, probe}
  }

  if (blocked) throw cannotExecute(command, blocked.path, blocked.probe)
  throw new BellaError('notFound', `Command not found: ${command} (searched PATH).`, {
    code: 'command_not_found',
    suggestions: [
      `Check the spelling, or that the program is installed and its directory is on PATH (\`command -v ${command}\`).`,
      'Give a path instead (./script.sh) to run a file in the current directory.',
    ],
  })
}

function probeExecutable(path: string): Probe {
  let isDirectory: boolean
  try {
    isDirectory = statSync(path).isDirectory()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // ENOENT/ENOTDIR: not there. Anything else (EACCES on a parent directory, ELOOP) is what execve
    // would also fail on with "permission denied"-like errors → cannot execute.
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'not-executable'
  }

  if (isDirectory) return 'directory'
  try {
    // access(X_OK) applies root's rule too (root may execute a file only if some x bit is set).
    accessSync(path, fsConstants.X_OK)
    return 'ok'
  } catch {
    return 'not-executable'
  }
}

function cannotExecute(command: string, path: string, probe: Probe): BellaError {
  const what = probe === 'directory' ? 'it is a directory' : 'permission denied (not executable)'
  return new BellaError('cannotExecute', `Cannot execute ${command}: ${path}: ${what}.`, {
    code: 'command_not_executable',
    suggestions:
      probe === 'directory'
        ? ['Name a program inside the directory, not the directory itself.']
        : [`Make it executable (\`chmod +x ${path}\`), or run it through its interpreter (e.g. \`sh ${path}\`).`],
  })
}
