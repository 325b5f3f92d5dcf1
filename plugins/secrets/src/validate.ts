/**
 * Shape checks for every API answer these commands use: a malformed answer is an API error
 * (exit 4, `api_invalid_response`) naming the endpoint and the field, never a value.
 */
import {unreachableError, type BellaError} from '@bella/core'

export type Json = Record<string, unknown>

export function invalidResponse(what: string, why: string): BellaError {
  return unreachableError(`The Bella API answered ${what} with a malformed response (${why}); nothing from it was used`, {
    code: 'api_invalid_response',
    suggestions: ['the server, or a proxy between bella and it, is misbehaving: try again later, and report it if it persists'],
  })
}

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value` as an object, or the API error. */
export function object(value: unknown, what: string, where = 'the body'): Json {
  if (!isObject(value)) throw invalidResponse(what, `${where} is not an object`)
  return value
}

/** `value` as an array, or the API error. */
export function array(value: unknown, what: string, where = 'the body'): unknown[] {
  if (!Array.isArray(value)) throw invalidResponse(what, `${where} is not a list`)
  return value
}

export function string(obj: Json, field: string, what: string): string {
  const value = obj[field]
  if (typeof value !== 'string') throw invalidResponse(what, `\`${field}\` is not a string`)
  return value
}

export function optionalString(obj: Json, field: string, what: string): string | null {
  const value = obj[field]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw invalidResponse(what, `\`${field}\` is not a string or null`)
  return value
}

export function optionalNumber(obj: Json, field: string, what: string): number | null {
  const value = obj[field]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidResponse(what, `\`${field}\` is not a number`)
  return value
}
