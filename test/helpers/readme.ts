// Reading the README's shell examples, for the tests that run them as a user would paste them.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {repoRoot} from './cli.js'

export const readme = (): string => readFileSync(join(repoRoot, 'README.md'), 'utf8')

/** The fenced block between `<!-- name -->` and `<!-- /name -->`, as lines. */
export function markedBlock(name: string, text = readme()): string[] {
  const block = new RegExp(`<!-- ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- /${name} -->`).exec(text)
  if (!block) throw new Error(`README has no ${name} block`)
  return block[1]!.trim().split('\n')
}

/** The text of the section whose heading starts with `title`, up to the next heading (outside code blocks). */
export function section(title: string, text = readme()): string {
  const start = text.split('\n').findIndex((line) => /^#{2,} /.test(line) && line.replace(/^#+ /, '').startsWith(title))
  if (start === -1) throw new Error(`README has no section "${title}"`)
  const lines = text.split('\n').slice(start + 1)
  let fenced = false
  const end = lines.findIndex((line) => {
    if (line.startsWith('```')) fenced = !fenced
    return !fenced && /^#{1,6} /.test(line)
  })
  return lines.slice(0, end === -1 ? undefined : end).join('\n')
}

/** Every ```sh block's commands: continuation lines joined, comment-only and blank lines dropped. */
export function shCommands(markdown: string): string[] {
  const commands: string[] = []
  for (const [, body] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = ''
    for (const line of body!.split('\n')) {
      const joined = pending + line
      if (/\\\s*$/.test(line)) {
        pending = joined.replace(/\\\s*$/, '') + ' '
        continue
      }
      pending = ''
      if (joined.trim() && !joined.trim().startsWith('#')) commands.push(joined.trim())
    }
  }
  return commands
}
