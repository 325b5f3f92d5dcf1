/**
 * Validation of every secrets response before anything is taken from it. A body whose `secrets`
 * is null, an array or missing must never be read as a flat map (that injected `environmentSlug`,
 * `version`, … as variables), and a value that is not a string is not a secret: either is an API
 * error (exit 4, `api_invalid_response`) naming the endpoint and never a value.
 *
 * Values sealed at rest (`bellabaxter:v1:…`, contract §3.7) are never served as secrets: the
 * server always decrypts, so one in a response is the server's error. They are taken out here and
 * named in `sealed`, so no caller (child environment, sink, SDK) can pass one on.
 */
import {quoteName} from '../display.js'
import {isSealedValue} from '../process/env.js'
import {unreachableError, type BellaError} from '../errors.js'
import type {AllEnvironmentSecrets} from './types.js'

export interface SecretsPayload {
  /** Name → value, built as own properties (`__proto__` is a name like any other). */
  secrets: Record<string, string>
  /** Names whose value was sealed (withheld from `secrets`), in response order. */
  sealed: string[]
}

export interface FetchedEnvironmentSecrets extends AllEnvironmentSecrets {
  sealed: string[]
}

function invalid(path: string, why: string): BellaError {
  return unreachableError(`The Bella API answered GET ${path} with a malformed secrets response (${why}); nothing from it was used`, {
    code: 'api_invalid_response',
    suggestions: [
      'the server, or a proxy between bella and it, is misbehaving: try again later, and report it to the server operator if it persists',
    ],
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function kindOf(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

const shown = (name: string) => quoteName(name, 200)

/** Checks every value is a string and splits off the sealed ones. */
function fromEntries(entries: Iterable<[string, unknown]>, path: string): SecretsPayload {
  const kept: [string, string][] = []
  const sealed: string[] = []
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw invalid(path, `the value of secret ${shown(name)} is ${kindOf(value)}, not a string`)
    if (isSealedValue(value)) sealed.push(name)
    else kept.push([name, value])
  }
  // fromEntries defines own properties: a secret named `__proto__` stays an ordinary entry.
  return {secrets: Object.fromEntries(kept), sealed}
}

function fromSecretsField(body: Record<string, unknown>, path: string): SecretsPayload {
  if (!Object.hasOwn(body, 'secrets')) throw invalid(path, '`secrets` is missing')
  const secrets = body.secrets
  if (!isRecord(secrets)) throw invalid(path, `\`secrets\` is ${kindOf(secrets)}, not an object of name → value`)
  return fromEntries(Object.entries(secrets), path)
}

/** getAllEnvironmentSecrets (contract §2.1): `{environmentSlug, environmentName, secrets, version, lastModified}`. */
export function parseAllEnvironmentSecrets(body: unknown, path: string, environment: string): FetchedEnvironmentSecrets {
  if (!isRecord(body)) throw invalid(path, `the body is ${kindOf(body)}, not an object`)
  const {secrets, sealed} = fromSecretsField(body, path)
  if (body.version !== undefined && typeof body.version !== 'number') throw invalid(path, '`version` is not a number')
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback)
  return {
    environmentSlug: text(body.environmentSlug, environment),
    environmentName: text(body.environmentName, environment),
    secrets,
    version: typeof body.version === 'number' ? body.version : 0,
    lastModified: text(body.lastModified, ''),
    sealed,
  }
}

/**
 * The plaintext shapes of contract §3.4 for the other secrets reads: an object with a `secrets`
 * field, an array of `{key, value}` items, or a flat `{KEY: value}` map. An object holding
 * `secrets` is always taken as the full shape, so a broken `secrets` is an error, not a map.
 */
export function parseSecretsPayload(body: unknown, path: string): SecretsPayload {
  if (Array.isArray(body)) {
    return fromEntries(
      body.map((item, index): [string, unknown] => {
        if (!isRecord(item) || typeof item.key !== 'string') throw invalid(path, `item ${index} has no string \`key\``)
        return [item.key, item.value]
      }),
      path,
    )
  }
  if (!isRecord(body)) throw invalid(path, `the body is ${kindOf(body)}, not an object or a list`)
  if (Object.hasOwn(body, 'secrets')) return fromSecretsField(body, path)
  return fromEntries(Object.entries(body), path)
}
