/**
 * stdout carries results only (a token, --json, a table); every message goes to stderr, so
 * `bella run -- cmd > file` and `TOKEN=$(bella issue …)` stay clean.
 */
import {exitCodeOf, isBellaError} from './errors.js'

export interface Output {
  /** A result line on stdout. */
  result(text: string): void
  /** A JSON result on stdout. */
  json(value: unknown): void
  info(text: string): void
  /** `Warning: …` on stderr. */
  warn(text: string): void
  /** `debug: …` on stderr, printed only when verbose. */
  debug(text: string): void
}

export interface OutputOptions {
  verbose?: boolean
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

export function createOutput(options: OutputOptions = {}): Output {
  // Looked up at the first write: Node creates process.stdout/stderr on first use (~1 ms), and
  // `bella run` often writes nothing of its own.
  const stdout = () => options.stdout ?? process.stdout
  const stderr = () => options.stderr ?? process.stderr
  return {
    result: (text) => void stdout().write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => void stdout().write(`${JSON.stringify(value, null, 2)}\n`),
    info: (text) => void stderr().write(`${text}\n`),
    warn: (text) => void stderr().write(`Warning: ${text}\n`),
    debug: (text) => {
      if (options.verbose) stderr().write(`debug: ${text}\n`)
    },
  }
}

/** The --json error envelope (printed on stdout, like the success envelope). */
export function errorEnvelope(error: unknown): {error: {code: string; message: string; exitCode: number; suggestions: string[]}} {
  const message = error instanceof Error ? error.message : String(error)
  return {
    error: {
      code: isBellaError(error) ? error.code : 'error',
      message,
      exitCode: exitCodeOf(error),
      suggestions: isBellaError(error) ? error.suggestions : [],
    },
  }
}

/** Human rendering of an error for stderr: the message, then what to do next. */
export function renderError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const lines = [`Error: ${message}`]
  if (isBellaError(error)) for (const s of error.suggestions) lines.push(`  Try: ${s}`)
  return `${lines.join('\n')}\n`
}
