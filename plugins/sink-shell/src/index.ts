import {fileSinkDefinition, generalError, quoteName, sortedKeys, type Registries, type Secrets, type SinkDefinition} from '@bella/core/runtime'

const OWNER = '@bella/sink-shell'

/** What a POSIX shell accepts after `export`. */
export const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `'…'` with every `'` written as `'\''`: inside single quotes a POSIX shell expands nothing. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * `export NAME='value'` lines, names in code-point order, safe to `eval "$(…)"` in sh, bash, zsh
 * and dash: single quotes keep `$`, backticks, `\`, `!`-free history aside, and newlines literal.
 * Names a shell variable cannot have, and values a shell cannot hold (a NUL byte), are refused,
 * naming every one of them (never a value); nothing is rendered then.
 */
export function renderShell(secrets: Secrets): string {
  const names = sortedKeys(secrets)
  const badNames = names.filter((name) => !SHELL_NAME.test(name))
  if (badNames.length > 0) {
    throw generalError(`${badNames.length === 1 ? 'this secret name is' : 'these secret names are'} not a valid shell variable name: ${badNames.map((n) => quoteName(n, 60)).join(', ')}`, {
      code: 'shell_invalid_name',
      suggestions: ['a shell variable name is letters, digits and "_", not starting with a digit; use --format json or dotenv for these'],
    })
  }
  const badValues = names.filter((name) => typeof secrets[name] !== 'string' || secrets[name]!.includes('\0'))
  if (badValues.length > 0) {
    throw generalError(`a shell variable cannot hold the value of ${badValues.map((n) => quoteName(n, 60)).join(', ')} (a NUL byte)`, {code: 'shell_invalid_value'})
  }
  return names.map((name) => `export ${name}=${shellQuote(secrets[name]!)}\n`).join('')
}

/** Reads renderShell's output back (exactly that format: one `export N='…'` statement after another). */
export function parseShell(text: string): Record<string, string> {
  const out = new Map<string, string>()
  const statement = /export ([A-Za-z_][A-Za-z0-9_]*)=((?:'[^']*'|\\')*)\n/y
  let at = 0
  while (at < text.length) {
    statement.lastIndex = at
    const match = statement.exec(text)
    if (!match) throw new Error(`not an export statement at offset ${at}`)
    out.set(match[1]!, match[2]!.replace(/'([^']*)'|\\'/g, (whole, inner: string | undefined) => (whole === "\\'" ? "'" : inner!)))
    at = statement.lastIndex
  }
  return Object.fromEntries(out)
}

export const shellSink: SinkDefinition = fileSinkDefinition({
  name: 'shell',
  description: "export NAME='value' lines, safe to eval in a POSIX shell",
  render: renderShell,
  parse: parseShell,
  verifyWrites: true,
})

export function registerSinks(registries: Pick<Registries, 'sinks'>): void {
  registries.sinks.register(shellSink, OWNER)
}
