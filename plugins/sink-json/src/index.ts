import {fileSinkDefinition, generalError, quoteText, sortedKeys, type Registries, type Secrets, type SinkDefinition} from '@bella/core/runtime'

const OWNER = '@bella/sink-json'

/**
 * The secrets as one JSON object: names in code-point order, 2-space indent, UTF-8, final LF (what
 * `JSON.stringify(sorted, null, 2)` would print, except that integer-like names keep their sorted
 * place instead of moving to the front). JSON escapes everything a value may hold, so nothing is
 * ever refused.
 */
export function renderJson(secrets: Secrets): string {
  const names = sortedKeys(secrets)
  if (names.length === 0) return '{}\n'
  const lines: string[] = []
  for (const name of names) {
    const value = secrets[name]
    if (typeof value !== 'string') throw generalError(`secret ${quoteText(name)} is not a string`, {code: 'json_invalid_value'})
    lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(value)}`)
  }
  return `{\n${lines.join(',\n')}\n}\n`
}

export const jsonSink: SinkDefinition = fileSinkDefinition({
  name: 'json',
  description: 'a JSON object of name to value (sorted, indented)',
  render: renderJson,
  parse: (content) => JSON.parse(content) as Record<string, string>,
})

export function registerSinks(registries: Pick<Registries, 'sinks'>): void {
  registries.sinks.register(jsonSink, OWNER)
}
