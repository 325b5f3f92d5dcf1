/**
 * One error taxonomy for every bella command. Each kind maps to one documented exit code
 * (SPEC "Errors and exit codes"); commands never pick exit codes themselves.
 *
 * Errors are recognised by the `bellaError` marker property rather than `instanceof`, which stays
 * correct when two copies of core are loaded (a user-installed plugin bundling its own core).
 */

export const ExitCode = {
  ok: 0,
  general: 1,
  usage: 2,
  auth: 3,
  unreachable: 4,
  cannotExecute: 126,
  notFound: 127,
} as const

export type ErrorKind = 'general' | 'usage' | 'auth' | 'unreachable' | 'cannotExecute' | 'notFound'

export interface BellaErrorOptions {
  /** Stable machine-readable code, e.g. `api_unauthorized`, shown with --json. */
  code?: string
  /** What the user can do next; printed as "Try: …" lines. */
  suggestions?: string[]
  cause?: unknown
}

export class BellaError extends Error {
  readonly bellaError = true
  readonly kind: ErrorKind
  readonly code: string
  readonly suggestions: string[]

  constructor(kind: ErrorKind, message: string, options: BellaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'BellaError'
    this.kind = kind
    this.code = options.code ?? kind
    this.suggestions = options.suggestions ?? []
  }

  get exitCode(): number {
    return ExitCode[this.kind]
  }
}

export function isBellaError(error: unknown): error is BellaError {
  return typeof error === 'object' && error !== null && (error as {bellaError?: unknown}).bellaError === true
}

export const usageError = (message: string, options?: BellaErrorOptions) => new BellaError('usage', message, options)
export const authError = (message: string, options?: BellaErrorOptions) => new BellaError('auth', message, options)
export const unreachableError = (message: string, options?: BellaErrorOptions) =>
  new BellaError('unreachable', message, options)
export const generalError = (message: string, options?: BellaErrorOptions) => new BellaError('general', message, options)

/** The exit code for anything thrown: bella errors map by kind, oclif parse errors are usage (2). */
export function exitCodeOf(error: unknown): number {
  if (isBellaError(error)) return error.exitCode
  const oclifExit = (error as {oclif?: {exit?: unknown}} | null)?.oclif?.exit
  if (typeof oclifExit === 'number') return oclifExit
  return ExitCode.general
}
