/**
 * A numbered choice on stderr, answered on stdin: no prompt library, and node:readline is loaded
 * only when a prompt is actually shown.
 */
import {oneLine, usageError} from '@bella/core'

export interface Choice {
  value: string
  label: string
}

export type Ask = (question: string) => Promise<string>

/** Reads one line from `input` after writing `question` to `output`. */
export function lineAsker(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Ask {
  return async (question) => {
    const {createInterface} = await import('node:readline/promises')
    const rl = createInterface({input, output, terminal: false})
    try {
      return await rl.question(question)
    } finally {
      rl.close()
    }
  }
}

/** Lists the choices numbered from 1 and takes a number or an exact value; asks up to 3 times. */
export async function choose(title: string, choices: readonly Choice[], ask: Ask, write: (text: string) => void): Promise<string> {
  if (choices.length === 0) throw usageError(`There is nothing to choose from for ${title}`, {code: 'nothing_to_choose'})
  write(`${title}:\n${choices.map((c, i) => `  ${String(i + 1).padStart(2)}) ${oneLine(c.label)}`).join('\n')}\n`)
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = (await ask(`Choose 1-${choices.length}: `)).trim()
    const n = /^\d+$/.test(answer) ? Number(answer) : NaN
    if (n >= 1 && n <= choices.length) return choices[n - 1]!.value
    const exact = choices.find((c) => c.value === answer)
    if (exact) return exact.value
    write(`Not a choice: type a number from 1 to ${choices.length}.\n`)
  }
  throw usageError(`No ${title} was chosen`, {code: 'no_choice', suggestions: ['pass it as a flag instead']})
}

/** y/yes (any case) confirms; anything else declines. */
export async function confirm(question: string, ask: Ask): Promise<boolean> {
  return /^(y|yes)$/i.test((await ask(`${question} [y/N] `)).trim())
}
