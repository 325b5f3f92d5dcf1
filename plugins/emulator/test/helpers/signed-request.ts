/**
 * Sends real HTTP requests over loopback, signed with core's signing code, and lets a test sign
 * one thing and send another (the tampering cases). node:http is used rather than fetch so the
 * path and query go on the wire exactly as written.
 */
import {request as httpRequest, type IncomingHttpHeaders} from 'node:http'
import {parseApiKey, signRequest} from '@bella/core'

export interface SendOptions {
  method?: string
  /** Raw path plus optional `?query`, sent byte for byte. */
  path: string
  body?: string
  /** Applied after signing, so they can override the signing headers. */
  headers?: Record<string, string>
  /** The key to sign with; `null` sends the request unsigned. Defaults to the emulator's key. */
  apiKey?: string | null
  /** Signing time (default: now). */
  at?: Date
  /** Sign these instead of what is sent (to simulate tampering in transit). */
  signAs?: {method?: string; path?: string; body?: string}
}

export interface TestResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json<T = any>(): T
}

export interface Target {
  url: string
  apiKey: string
}

function split(pathAndQuery: string): {path: string; rawQuery: string} {
  const q = pathAndQuery.indexOf('?')
  return q === -1 ? {path: pathAndQuery, rawQuery: ''} : {path: pathAndQuery.slice(0, q), rawQuery: pathAndQuery.slice(q + 1)}
}

export function signedHeaders(apiKey: string, options: {method: string; path: string; body?: string; at?: Date}): Record<string, string> {
  const {path, rawQuery} = split(options.path)
  return signRequest(parseApiKey(apiKey), {method: options.method, path, rawQuery, body: options.body ?? ''}, options.at ?? new Date())
}

export function send(target: Target, options: SendOptions): Promise<TestResponse> {
  const method = options.method ?? 'GET'
  const body = options.body ?? ''
  const apiKey = options.apiKey === undefined ? target.apiKey : options.apiKey
  const signing =
    apiKey === null
      ? {}
      : signedHeaders(apiKey, {
          method: options.signAs?.method ?? method,
          path: options.signAs?.path ?? options.path,
          body: options.signAs?.body ?? body,
          ...(options.at ? {at: options.at} : {}),
        })
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Bella-Client': 'bella-cli',
    ...signing,
    ...(body ? {'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body))} : {}),
    ...options.headers,
  }
  const url = new URL(target.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({host: url.hostname, port: url.port, method, path: options.path, headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text)})
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body || undefined)
  })
}

/** Flips one character of a hex or Base64 string (keeping it the same length and alphabet). */
export function flipOneChar(value: string, index = 0): string {
  const c = value[index]!
  const replacement = c === '0' ? '1' : c === 'a' ? 'b' : c === 'A' ? 'B' : '0'
  return value.slice(0, index) + replacement + value.slice(index + 1)
}
