/**
 * A tiny path router. Patterns are written with `:name` parameters; a request's segments are
 * percent-decoded before matching, so `/projects/caf%C3%A9` finds the project `café`.
 */
import {badRequest} from './http.js'

export type Params = Record<string, string>

interface Route<H> {
  method: string
  segments: string[]
  handler: H
}

export type RouteMatch<H> =
  | {kind: 'found'; handler: H; params: Params}
  | {kind: 'method-not-allowed'; allowed: string[]}
  | {kind: 'not-found'}

/**
 * Splits a raw path into decoded segments. One trailing `/` is ignored (the contract says it must
 * not change which endpoint answers); malformed percent-encoding is the client's error.
 */
export function pathSegments(rawPath: string): string[] {
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath
  const parts = trimmed.split('/').slice(1)
  try {
    return parts.map((part) => decodeURIComponent(part))
  } catch {
    throw badRequest('the request path has malformed percent-encoding')
  }
}

export class Router<H> {
  private readonly routes: Route<H>[] = []

  add(method: string, pattern: string, handler: H): this {
    this.routes.push({method: method.toUpperCase(), segments: pattern.split('/').slice(1), handler})
    return this
  }

  match(method: string, segments: string[]): RouteMatch<H> {
    let best: {route: Route<H>; params: Params; score: number[]} | undefined
    const allowed = new Set<string>()
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments)
      if (!params) continue
      allowed.add(route.method)
      if (route.method !== method) continue
      // A literal segment beats a parameter at the same position (`secrets/hash` over `secrets/:key`).
      const score = route.segments.map((s) => (s.startsWith(':') ? 0 : 1))
      if (!best || compareScores(score, best.score) > 0) best = {route, params, score}
    }
    if (best) return {kind: 'found', handler: best.route.handler, params: best.params}
    if (allowed.size > 0) return {kind: 'method-not-allowed', allowed: [...allowed].sort()}
    return {kind: 'not-found'}
  }
}

function matchSegments(pattern: string[], segments: string[]): Params | undefined {
  if (pattern.length !== segments.length) return undefined
  const params: Params = {}
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!
    const got = segments[i]!
    if (want.startsWith(':')) {
      if (got === '') return undefined
      params[want.slice(1)] = got
    } else if (want !== got) {
      return undefined
    }
  }
  return params
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
