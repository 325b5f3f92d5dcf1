/**
 * Reading a YAML document whose every node keeps its source range: typed getters that report a
 * problem at the node's `line:col` (with what is allowed, and a did-you-mean for keys) instead of
 * throwing, and `${VAR}` expansion of scalar values. The agent config's schema (checker.ts) is
 * written on top of it.
 */
import {editDistance, quoteText, type Env} from '@bella/core'
import type {Document, LineCounter, Node as YamlNode, Pair, Scalar, YAMLMap} from 'yaml'
import {EXPANSION_FORMS, expandVariables} from './expand.js'
import type {ConfigProblem} from './types.js'

export type YamlModule = typeof import('yaml')

/** Reported at most; the rest would only bury the first ones. */
export const MAX_PROBLEMS = 20

export type Fields<K extends string> = Partial<Record<K, {pair: Pair; key: YamlNode; value: YamlNode | null}>>

export class YamlReader {
  readonly problems: ConfigProblem[] = []

  constructor(
    protected readonly YAML: YamlModule,
    protected readonly doc: Document,
    protected readonly lines: LineCounter,
    protected readonly text: string,
    protected readonly file: string,
    protected readonly env: Env,
  ) {}

  // --- value helpers --------------------------------------------------------------------------

  protected list(node: YamlNode | null, keyNode: YamlNode, at: string, shape: string): YamlNode[] {
    const value = this.deref(node)
    if (!value || (this.YAML.isScalar(value) && value.value === null)) {
      this.report(keyNode, at, 'must not be empty: list at least one entry', shape)
      return []
    }
    if (!this.YAML.isSeq(value)) {
      this.report(value, at, `must be a list, not ${this.kind(value)}`, shape)
      return []
    }
    if (value.items.length === 0) {
      this.report(value, at, 'must not be empty: list at least one entry', shape)
      return []
    }
    return value.items.map((item) => this.deref(item as YamlNode) ?? (item as YamlNode))
  }

  /** The map's entries by key; keys not in `allowed` (when given) are reported. */
  protected fields<K extends string>(map: YAMLMap, at: string, allowed?: readonly K[]): Fields<K> {
    const result: Fields<string> = {}
    for (const pair of map.items) {
      const key = pair.key as YamlNode
      const name = this.YAML.isScalar(key) ? key.value : undefined
      if (typeof name !== 'string') {
        this.report(key, at, `keys must be plain names, not ${this.kind(key)}`, allowed?.join(', '))
        continue
      }
      if (allowed && !(allowed as readonly string[]).includes(name)) {
        const hint = closest(name, allowed)
        this.report(key, at, `unknown key ${quoteText(name)}${hint ? ` (did you mean "${hint}"?)` : ''}`, allowed.join(', '))
        continue
      }
      result[name] = {pair, key, value: this.deref(pair.value as YamlNode | null)}
    }
    return result as Fields<K>
  }

  protected requiredString(
    field: {key: YamlNode; value: YamlNode | null} | undefined,
    parent: YamlNode,
    at: string,
    name: string,
    allowed: string,
  ): string | undefined {
    if (!field) {
      this.report(parent, at, `missing required key "${name}"`, allowed)
      return undefined
    }
    return this.string(field.value, field.key, `${at}.${name}`, allowed)
  }

  /** A non-empty string value, expanded. */
  protected string(node: YamlNode | null, keyNode: YamlNode, at: string, allowed: string): string | undefined {
    const {YAML} = this
    if (!node || (YAML.isScalar(node) && (node.value === null || node.value === undefined))) {
      this.report(keyNode, at, 'must not be empty', allowed)
      return undefined
    }
    if (!YAML.isScalar(node) || typeof node.value !== 'string') {
      const quote = YAML.isScalar(node) ? ` (quote it if you meant the text: ${quoteText(String(node.value))})` : ''
      this.report(node, at, `must be a string, not ${this.kind(node)}${quote}`, allowed)
      return undefined
    }
    const value = this.expand(node, at)
    if (value === undefined) return undefined
    if (value.trim() === '') {
      this.report(node, at, 'must not be empty', allowed)
      return undefined
    }
    return value
  }

  /** An integer within bounds: a YAML integer, or a string that expands to one ("${POLL:-30}"). */
  protected integer(node: YamlNode | null, keyNode: YamlNode, at: string, min: number, max: number, allowed: string): number | undefined {
    const {YAML} = this
    if (!node || !YAML.isScalar(node) || node.value === null) {
      this.report(node ?? keyNode, at, node && !YAML.isScalar(node) ? `must be a number, not ${this.kind(node)}` : 'must not be empty', allowed)
      return undefined
    }
    let value: number
    if (typeof node.value === 'number') {
      value = node.value
    } else if (typeof node.value === 'string' && node.value.includes('${')) {
      const text = this.expand(node, at)
      if (text === undefined) return undefined
      if (!/^\s*-?\d+\s*$/.test(text)) {
        this.report(node, at, `must be a whole number, not ${quoteText(text)} (after expanding variables)`, allowed)
        return undefined
      }
      value = Number(text)
    } else {
      this.report(node, at, `must be a whole number, not ${this.kind(node)}`, allowed)
      return undefined
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      this.report(node, at, `${value} is out of range`, allowed)
      return undefined
    }
    return value
  }

  /** A sink option as plain data with strings expanded; INVALID after reporting a problem. */
  protected plain(node: YamlNode | null, at: string): unknown {
    const {YAML} = this
    const value = this.deref(node)
    if (!value) return null
    if (YAML.isScalar(value)) {
      if (typeof value.value !== 'string') return value.value ?? null
      const expanded = this.expand(value, at)
      return expanded === undefined ? INVALID : expanded
    }
    if (YAML.isSeq(value)) {
      const items = value.items.map((item, i) => this.plain(item as YamlNode, `${at}[${i}]`))
      return items.includes(INVALID) ? INVALID : items
    }
    if (YAML.isMap(value)) {
      const entries: [string, unknown][] = []
      for (const pair of value.items) {
        const key = pair.key as YamlNode
        const name = YAML.isScalar(key) ? String(key.value) : undefined
        if (name === undefined) {
          this.report(key, at, `keys must be plain names, not ${this.kind(key)}`)
          return INVALID
        }
        entries.push([name, this.plain(pair.value as YamlNode | null, `${at}.${name}`)])
      }
      return entries.some(([, v]) => v === INVALID) ? INVALID : Object.fromEntries(entries)
    }
    this.report(value, at, `unsupported value (${this.kind(value)})`)
    return INVALID
  }

  protected expand(node: Scalar, at: string): string | undefined {
    const result = expandVariables(node.value as string, this.env)
    if (result.ok) return result.value
    // Point at the reference itself when it appears verbatim in the source (plain/quoted one-liners).
    let offset = node.range?.[0] ?? 0
    if (node.range) {
      const source = this.text.slice(node.range[0], node.range[1])
      const index = source.indexOf(result.reference)
      if (index >= 0) offset += index
    }
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(result.reference)?.[1]
    const allowed = result.message.includes('is not set') ? `set ${name}, or give a default: \${${name}:-value}` : EXPANSION_FORMS
    this.report(offset, at, result.message, allowed)
    return undefined
  }

  // --- reporting ------------------------------------------------------------------------------

  protected deref(node: YamlNode | null | undefined): YamlNode | null {
    if (node && this.YAML.isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null
    return node ?? null
  }

  protected kind(node: YamlNode | null): string {
    const {YAML} = this
    if (!node) return 'nothing'
    if (YAML.isMap(node)) return 'a mapping'
    if (YAML.isSeq(node)) return 'a list'
    if (YAML.isScalar(node)) {
      const v = node.value
      if (v === null || v === undefined) return 'null'
      if (typeof v === 'number') return `a number (${v})`
      if (typeof v === 'boolean') return `a boolean (${v})`
      if (typeof v === 'string') return 'a string'
      return typeof v
    }
    return 'an unsupported value'
  }

  protected offset(where: YamlNode | number): number {
    return typeof where === 'number' ? where : (where.range?.[0] ?? 0)
  }

  where(node: YamlNode | number): string {
    const pos = this.lines.linePos(this.offset(node))
    return `${this.file}:${pos.line}:${pos.col}`
  }

  report(where: YamlNode | number, at: string, message: string, allowed?: string): void {
    if (this.problems.length >= MAX_PROBLEMS) return
    const pos = this.lines.linePos(this.offset(where))
    this.problems.push({line: pos.line, col: pos.col, at, message, ...(allowed ? {allowed} : {})})
  }
}

export const INVALID = Symbol('invalid')

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The allowed name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of allowed) {
    const d = editDistance(name.toLowerCase(), candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
