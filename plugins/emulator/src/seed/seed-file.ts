/**
 * Reads a seed YAML file. `yaml` is imported here, lazily, so starting the emulator without a seed
 * file (and every other bella command) never pays for it.
 *
 * Every error names file:line:col: YAML syntax errors come with positions from the parser, and
 * seed validation errors carry a path that is looked up in the parsed document.
 */
import {readFile} from 'node:fs/promises'
import {usageError, type BellaError} from '@bella/core'
import {resolveSeed, SeedError, type EmulatorSeed} from './seed.js'

type YamlModule = typeof import('yaml')
type YamlDocument = ReturnType<YamlModule['parseDocument']>

export async function loadSeedFile(file: string): Promise<EmulatorSeed> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')
    throw usageError(`cannot read seed file ${file}: ${why}`, {
      code: 'invalid_seed',
      suggestions: ['pass --seed the path of a YAML seed file (format: seed.example.yaml in the @bella/plugin-emulator package)'],
    })
  }
  return parseSeedYaml(text, file)
}

/** Parses and validates seed YAML text; `file` only labels error messages. */
export async function parseSeedYaml(text: string, file = 'seed'): Promise<EmulatorSeed> {
  // `.default` is the CommonJS module itself, under Node and in the esbuild bundles alike.
  const YAML = (await import('yaml')).default
  const lineCounter = new YAML.LineCounter()
  const doc = YAML.parseDocument(text, {lineCounter, prettyErrors: false})
  const syntaxError = doc.errors[0]
  if (syntaxError) {
    const pos = syntaxError.linePos?.[0] ?? lineCounter.linePos(syntaxError.pos[0])
    throw seedFileError(file, pos, `invalid YAML: ${firstLine(syntaxError.message)}`)
  }
  keepUnquotedSecretsAsWritten(YAML, doc, text)
  const value: unknown = doc.toJS()
  if (value === null || value === undefined) {
    throw seedFileError(file, {line: 1, col: 1}, 'the seed is empty; it needs at least a "projects:" list')
  }
  try {
    resolveSeed(value)
  } catch (error) {
    if (!(error instanceof SeedError)) throw error
    throw seedFileError(file, lineCounter.linePos(offsetOf(YAML, doc, error)), error.message)
  }
  return value as EmulatorSeed
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function seedFileError(file: string, pos: {line: number; col: number}, message: string): BellaError {
  return usageError(`${file}:${pos.line}:${pos.col}: ${message}`, {
    code: 'invalid_seed',
    suggestions: ['fix the seed file; seed.example.yaml in the @bella/plugin-emulator package documents every key'],
  })
}

/**
 * YAML would read `PORT: 8080` as a number and `VERSION: 1.10` as 1.1; a secret is text, so an
 * unquoted scalar under `secrets:` is taken exactly as written (an empty one is "").
 */
function keepUnquotedSecretsAsWritten(YAML: YamlModule, doc: YamlDocument, text: string): void {
  YAML.visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value === 'string' || node.type !== 'PLAIN' || !node.range) return
      const underSecrets = path.some((a) => YAML.isPair(a) && YAML.isScalar(a.key) && a.key.value === 'secrets')
      if (underSecrets) node.value = text.slice(node.range[0], node.range[1])
    },
  })
}

/** The source offset of the node a SeedError's path points at, or of its nearest existing parent. */
function offsetOf(YAML: YamlModule, doc: YamlDocument, error: SeedError): number {
  const path = [...error.path]
  if (error.atKey && path.length > 0) {
    const key = path.pop()
    const parent = path.length === 0 ? doc.contents : doc.getIn(path, true)
    if (YAML.isMap(parent)) {
      const pair = parent.items.find((item) => YAML.isScalar(item.key) && String(item.key.value) === String(key))
      if (pair && YAML.isNode(pair.key) && pair.key.range) return pair.key.range[0]
    }
  }
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true)
    if (YAML.isNode(node) && node.range) return node.range[0]
  }
  return 0
}
