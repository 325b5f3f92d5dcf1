/**
 * `${VAR}` expansion inside one parsed scalar value (contract §5.2 #14): never on raw YAML text,
 * so a variable's value can never change the document's structure, and a variable that is not set
 * is an error unless a default is given.
 *
 *   ${NAME}            the variable; an error when it is not set
 *   ${NAME:-default}   the default when NAME is unset or empty
 *   ${NAME-default}    the default when NAME is unset
 *   $$                 a literal "$"
 *
 * A "$" followed by anything else is kept as written.
 */
import type {Env} from '@bella/core'

export type ExpandResult =
  | {ok: true; value: string; expanded: boolean}
  /** `index` is where the bad reference starts in the input; `reference` is its text. */
  | {ok: false; index: number; reference: string; message: string}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-)([^]*))?$/

export const EXPANSION_FORMS = '${NAME}, ${NAME:-default}, ${NAME-default}, $$ for a literal $'

export function expandVariables(input: string, env: Env): ExpandResult {
  if (!input.includes('$')) return {ok: true, value: input, expanded: false}
  let out = ''
  let expanded = false
  let i = 0
  while (i < input.length) {
    const dollar = input.indexOf('$', i)
    if (dollar === -1) {
      out += input.slice(i)
      break
    }
    out += input.slice(i, dollar)
    const next = input[dollar + 1]
    if (next === '$') {
      out += '$'
      expanded = true
      i = dollar + 2
      continue
    }
    if (next !== '{') {
      out += '$'
      i = dollar + 1
      continue
    }
    const close = input.indexOf('}', dollar + 2)
    if (close === -1) {
      return {ok: false, index: dollar, reference: input.slice(dollar), message: `unterminated variable reference "${input.slice(dollar)}" (no closing "}")`}
    }
    const inner = input.slice(dollar + 2, close)
    const reference = input.slice(dollar, close + 1)
    const match = REFERENCE.exec(inner)
    if (!match) {
      return {ok: false, index: dollar, reference, message: `invalid variable reference "${reference}"`}
    }
    const [, name, operator, fallback] = match as unknown as [string, string, string | undefined, string | undefined]
    const value = env[name]
    if (operator === ':-') out += value === undefined || value === '' ? (fallback ?? '') : value
    else if (operator === '-') out += value === undefined ? (fallback ?? '') : value
    else if (value === undefined) {
      return {ok: false, index: dollar, reference, message: `environment variable ${name} is not set`}
    } else out += value
    expanded = true
    i = close + 1
  }
  return {ok: true, value: out, expanded}
}
