import {type BellaError, isBellaError} from '../../src/errors.js'

/** The BellaError `promise` rejects with; throws if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<BellaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isBellaError(error)) throw new Error(`expected a bella error, got ${String(error)}`)
  return error
}
