/**
 * Where `bella login` gets the key: the flag, standard input (`--api-key -`), or, at a terminal,
 * a prompt with hidden input. The prompt module is imported here only, so no other command pays
 * for it (the bundle puts it in a chunk of its own).
 */
import {usageError} from '@bella/core'

export interface KeyInput {
  rawKey: string
  /** For messages: '--api-key', 'standard input' or 'the prompt'. */
  origin: string
}

const PIPE_IT = 'pipe the key in: printf %s "$KEY" | bella login --api-key -'

export async function readLoginKey(flag: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<KeyInput> {
  if (flag !== undefined && flag !== '-') return {rawKey: flag, origin: '--api-key'}
  if (stdin.isTTY) return {rawKey: await promptForKey(), origin: 'the prompt'}
  if (flag === undefined) {
    throw usageError('No API key was given, and standard input is not a terminal to ask for one', {
      code: 'no_api_key',
      suggestions: ['pass --api-key bax-…', PIPE_IT],
    })
  }
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(chunk as Buffer)
  const rawKey = Buffer.concat(chunks).toString('utf8').trim()
  if (rawKey === '') throw usageError('No API key was given on standard input', {code: 'no_api_key', suggestions: [PIPE_IT]})
  return {rawKey, origin: 'standard input'}
}

async function promptForKey(): Promise<string> {
  const {default: password} = await import('@inquirer/password')
  try {
    // The prompt goes to stderr: stdout carries results only. No mask: not even the key's length shows.
    const key = await password({message: 'API key (bax-…):', validate: (v) => v.trim() !== '' || 'Enter the key, or press Ctrl-C to cancel'}, {output: process.stderr})
    return key.trim()
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw usageError('Login cancelled: no key was entered', {code: 'login_cancelled', suggestions: ['run bella login again, or pass --api-key']})
    throw error
  }
}
