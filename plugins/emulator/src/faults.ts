/**
 * Fault injection, so clients' retry, timeout and fail-closed paths can be tested over real HTTP.
 * Rules are consumed first-in first-out: the first rule that matches a request applies to it and
 * counts down; a rule with `count: "always"` stays until cleared.
 *
 * - `status`: answer 4xx/5xx (with `Retry-After` when given; 429 and 503 default to 1 s).
 * - `delay`:  hold the request for `delayMs`, then answer normally.
 * - `reset`:  drop the connection without an answer (a network error for the client).
 * - `huge`:   answer 200 with a body of `bytes` bytes (streamed, never held in memory), with a
 *             `Content-Length` unless `declareLength: false` (then chunked): a client's size cap.
 * - `drip`:   answer 200 headers at once, then one byte every `intervalMs`, never finishing (until
 *             the client leaves or the emulator closes): a client's overall deadline.
 * - `e2ee`:   only on envelope-required reads that presented a key: answer `plaintext`, a
 *             `tamper`ed envelope, one encrypted to a `wrong-key`, or one with a `missing-field`.
 * - `payload`: only on reads that carry secrets (encrypted or not): a malformed body, as a broken
 *             server or proxy might send it: `secrets` null, an array, missing, or a value that is
 *             not a string (on a provider's list: null, or an item whose value is 42).
 *
 * Request faults never apply to `/__emulator/…`, or a stuck fault could not be cleared.
 */

export type E2eeFaultMode = 'plaintext' | 'tamper' | 'wrong-key' | 'missing-field'
export type PayloadFaultMode = 'secrets-null' | 'secrets-array' | 'secrets-missing' | 'value-not-string'
export type FaultCount = number | 'always'

interface FaultMatch {
  /** How many matching requests the fault applies to (default 1). */
  count?: FaultCount
  /** Only requests whose raw path (as sent, without query) starts with this. */
  pathPrefix?: string
  /** Only requests with this method. */
  method?: string
}

export type FaultSpec =
  | ({type: 'status'; status: number; retryAfter?: number | string} & FaultMatch)
  | ({type: 'delay'; delayMs: number} & FaultMatch)
  | ({type: 'reset'} & FaultMatch)
  | ({type: 'huge'; bytes: number; declareLength?: boolean} & FaultMatch)
  | ({type: 'drip'; intervalMs: number} & FaultMatch)
  | ({type: 'e2ee'; mode: E2eeFaultMode} & FaultMatch)
  | ({type: 'payload'; mode: PayloadFaultMode} & FaultMatch)

export type Fault = FaultSpec & {id: number; remaining: FaultCount}

export type RequestFault = Extract<Fault, {type: 'status' | 'delay' | 'reset' | 'huge' | 'drip'}>

const E2EE_MODES: readonly E2eeFaultMode[] = ['plaintext', 'tamper', 'wrong-key', 'missing-field']
const PAYLOAD_MODES: readonly PayloadFaultMode[] = ['secrets-null', 'secrets-array', 'secrets-missing', 'value-not-string']
const MAX_DELAY_MS = 10 * 60 * 1000
const MAX_HUGE_BYTES = 4 * 1024 ** 3

/** Validates an untrusted fault spec (an admin request body); returns it or a reason. */
export function parseFaultSpec(input: unknown): {ok: true; spec: FaultSpec} | {ok: false; reason: string} {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {ok: false, reason: 'a fault must be a JSON object'}
  const raw = input as Record<string, unknown>
  const allowed = ['type', 'count', 'pathPrefix', 'method', 'status', 'retryAfter', 'delayMs', 'mode', 'bytes', 'declareLength', 'intervalMs']
  const unknown = Object.keys(raw).filter((k) => !allowed.includes(k))
  if (unknown.length > 0) return {ok: false, reason: `unknown fault field(s): ${unknown.join(', ')}`}

  const count = raw.count ?? 1
  if (count !== 'always' && !(Number.isInteger(count) && (count as number) >= 1)) {
    return {ok: false, reason: 'count must be a positive integer or "always"'}
  }
  if (raw.pathPrefix !== undefined && (typeof raw.pathPrefix !== 'string' || !raw.pathPrefix.startsWith('/'))) {
    return {ok: false, reason: 'pathPrefix must be a string starting with "/"'}
  }
  if (raw.method !== undefined && (typeof raw.method !== 'string' || raw.method === '')) return {ok: false, reason: 'method must be an HTTP method'}
  const match: FaultMatch = {count: count as FaultCount}
  if (raw.pathPrefix !== undefined) match.pathPrefix = raw.pathPrefix as string
  if (raw.method !== undefined) match.method = (raw.method as string).toUpperCase()

  switch (raw.type) {
    case 'status': {
      const status = raw.status
      if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
        return {ok: false, reason: 'status must be an integer from 400 to 599'}
      }
      const retryAfter = raw.retryAfter
      if (retryAfter !== undefined && !(typeof retryAfter === 'string' && retryAfter !== '') && !(Number.isInteger(retryAfter) && (retryAfter as number) >= 0)) {
        return {ok: false, reason: 'retryAfter must be whole seconds or an HTTP-date string'}
      }
      return {ok: true, spec: {type: 'status', status: status as number, ...(retryAfter === undefined ? {} : {retryAfter: retryAfter as number | string}), ...match}}
    }
    case 'delay': {
      const delayMs = raw.delayMs
      if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > MAX_DELAY_MS) {
        return {ok: false, reason: `delayMs must be an integer from 0 to ${MAX_DELAY_MS}`}
      }
      return {ok: true, spec: {type: 'delay', delayMs: delayMs as number, ...match}}
    }
    case 'reset':
      return {ok: true, spec: {type: 'reset', ...match}}
    case 'huge': {
      const bytes = raw.bytes
      if (!Number.isInteger(bytes) || (bytes as number) < 0 || (bytes as number) > MAX_HUGE_BYTES) {
        return {ok: false, reason: `bytes must be an integer from 0 to ${MAX_HUGE_BYTES}`}
      }
      if (raw.declareLength !== undefined && typeof raw.declareLength !== 'boolean') return {ok: false, reason: 'declareLength must be true or false'}
      return {ok: true, spec: {type: 'huge', bytes: bytes as number, ...(raw.declareLength === undefined ? {} : {declareLength: raw.declareLength}), ...match}}
    }
    case 'drip': {
      const intervalMs = raw.intervalMs
      if (!Number.isInteger(intervalMs) || (intervalMs as number) < 1 || (intervalMs as number) > 60_000) {
        return {ok: false, reason: 'intervalMs must be an integer from 1 to 60000'}
      }
      return {ok: true, spec: {type: 'drip', intervalMs: intervalMs as number, ...match}}
    }
    case 'e2ee': {
      if (!E2EE_MODES.includes(raw.mode as E2eeFaultMode)) return {ok: false, reason: `mode must be one of: ${E2EE_MODES.join(', ')}`}
      return {ok: true, spec: {type: 'e2ee', mode: raw.mode as E2eeFaultMode, ...match}}
    }
    case 'payload': {
      if (!PAYLOAD_MODES.includes(raw.mode as PayloadFaultMode)) return {ok: false, reason: `mode must be one of: ${PAYLOAD_MODES.join(', ')}`}
      return {ok: true, spec: {type: 'payload', mode: raw.mode as PayloadFaultMode, ...match}}
    }
    default:
      return {ok: false, reason: 'type must be one of: status, delay, reset, huge, drip, e2ee, payload'}
  }
}

export class FaultInjector {
  private faults: Fault[] = []
  private nextId = 1

  add(spec: FaultSpec): Fault {
    const parsed = parseFaultSpec(spec)
    if (!parsed.ok) throw new TypeError(`invalid fault: ${parsed.reason}`)
    const fault = {...parsed.spec, id: this.nextId++, remaining: parsed.spec.count ?? 1} as Fault
    this.faults.push(fault)
    return fault
  }

  clear(): void {
    this.faults = []
  }

  list(): Fault[] {
    return this.faults.map((f) => ({...f}))
  }

  /** The status/delay/reset/huge/drip fault for this request, if any, counted as used. */
  takeRequestFault(method: string, rawPath: string): RequestFault | undefined {
    return this.take((f): f is RequestFault => f.type !== 'e2ee' && f.type !== 'payload', method, rawPath)
  }

  /** The E2EE fault for an envelope-required read that presented a key, counted as used. */
  takeE2eeFault(method: string, rawPath: string): E2eeFaultMode | undefined {
    return this.take((f): f is Extract<Fault, {type: 'e2ee'}> => f.type === 'e2ee', method, rawPath)?.mode
  }

  /** The payload fault for a read that carries secrets, counted as used. */
  takePayloadFault(method: string, rawPath: string): PayloadFaultMode | undefined {
    return this.take((f): f is Extract<Fault, {type: 'payload'}> => f.type === 'payload', method, rawPath)?.mode
  }

  private take<T extends Fault>(kind: (f: Fault) => f is T, method: string, rawPath: string): T | undefined {
    const fault = this.faults.find(
      (f): f is T => kind(f) && (f.method === undefined || f.method === method) && (f.pathPrefix === undefined || rawPath.startsWith(f.pathPrefix)),
    )
    if (!fault) return undefined
    if (fault.remaining !== 'always') {
      fault.remaining -= 1
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault)
    }
    return {...fault}
  }
}

/**
 * The body of a secret-bearing read, malformed as `mode` says: an AllEnvironmentSecretsResponse
 * (an object with `secrets`) or a provider's list of items (an array).
 */
export function malformPayload(body: unknown, mode: PayloadFaultMode): unknown {
  if (Array.isArray(body)) {
    if (mode === 'value-not-string') return body.map((item, i) => (i === 0 ? {...(item as object), value: 42} : item))
    if (mode === 'secrets-array') return body.map((item) => Object.values(item as object))
    return null
  }
  const {secrets, ...rest} = body as {secrets?: Record<string, unknown>}
  switch (mode) {
    case 'secrets-null':
      return {...rest, secrets: null}
    case 'secrets-array':
      return {...rest, secrets: []}
    case 'secrets-missing':
      return rest
    case 'value-not-string':
      return {...rest, secrets: {...secrets, PORT_NUMBER: 42}}
  }
}
