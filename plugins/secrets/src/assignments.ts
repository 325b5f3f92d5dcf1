/**
 * `KEY=VALUE`, `KEY=-` (the value from stdin) and `--from-file KEY=PATH`, turned into a name/value
 * Map. Reading stdin and files happens here, at the command's edge; the service gets values only.
 */
import {readFile} from 'node:fs/promises'
import {quoteName, quoteText, usageError} from '@bella/core'

export interface AssignmentSources {
  args: readonly string[]
  fromFiles: readonly string[]
  readStdin: () => Promise<string>
  /** Relative paths of --from-file resolve against this folder. */
  cwd: string
}

export interface Assignments {
  values: Map<string, string>
  /** Names whose value was typed on the command line (shell history, `ps`). */
  inline: string[]
}

function split(text: string, what: string): [string, string] {
  const eq = text.indexOf('=')
  if (eq <= 0) {
    throw usageError(`${what} ${quoteText(text.slice(0, 80).replace(/=.*/s, '=…'))} is not NAME=VALUE`, {
      code: 'invalid_assignment',
      suggestions: ['bella secrets set NAME=VALUE, NAME=- (value from stdin) or --from-file NAME=PATH'],
    })
  }
  return [text.slice(0, eq), text.slice(eq + 1)]
}

export async function readAssignments(sources: AssignmentSources): Promise<Assignments> {
  const values = new Map<string, string>()
  const inline: string[] = []
  const add = (name: string, value: string) => {
    if (values.has(name)) throw usageError(`Secret ${quoteName(name, 100)} is given twice`, {code: 'duplicate_name'})
    values.set(name, value)
  }
  let stdinUsed = false
  for (const arg of sources.args) {
    const [name, value] = split(arg, 'argument')
    if (value === '-') {
      if (stdinUsed) throw usageError('Only one secret can take its value from stdin (NAME=-)', {code: 'stdin_twice'})
      stdinUsed = true
      // One trailing newline is dropped, as `$(…)` would: `echo v | bella secrets set K=-` stores "v".
      add(name, (await sources.readStdin()).replace(/\r?\n$/, ''))
    } else {
      add(name, value)
      inline.push(name)
    }
  }
  for (const spec of sources.fromFiles) {
    const [name, path] = split(spec, '--from-file')
    let content: string
    try {
      const {resolve} = await import('node:path')
      content = await readFile(resolve(sources.cwd, path), 'utf8')
    } catch (error) {
      throw usageError(`Could not read the value of ${quoteName(name, 100)} from ${quoteText(path, 200)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {code: 'value_file_unreadable'})
    }
    add(name, content)
  }
  if (values.size === 0) {
    throw usageError('Nothing to set', {code: 'nothing_to_set', suggestions: ['bella secrets set NAME=VALUE, NAME=- or --from-file NAME=PATH']})
  }
  return {values, inline}
}

/** All of stdin as UTF-8. */
export async function readAllStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
