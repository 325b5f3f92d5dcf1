/**
 * What execve(2) can carry. Checked before a child is started, because a spawn refused with E2BIG
 * says nothing about which variable is at fault, and under --watch the check must come before the
 * running child is stopped.
 *
 *  - Linux refuses any single argument or `NAME=value` string longer than MAX_ARG_STRLEN
 *    (32 pages = 128 KiB), counting its terminating NUL.
 *  - Every system caps arguments plus environment together (ARG_MAX): on Linux a quarter of the
 *    stack limit, 2 MiB with the usual 8 MiB; 1 MiB on macOS. The total counts each string, its
 *    NUL and its pointer, against a slightly lower limit than the usual one (conservative: the
 *    kernel also stores the program's path and auxiliary vector there).
 */
import {quoteName} from '../display.js'
import {BellaError} from '../errors.js'

export const MAX_ARG_STRLEN = 131_072
/** Linux's usual ARG_MAX (8 MiB stack / 4) less 64 KiB of headroom. */
export const TOTAL_ARG_LIMIT = 2 * 1024 * 1024 - 64 * 1024
const TOTAL_LIMITS: Partial<Record<NodeJS.Platform, number>> = {linux: TOTAL_ARG_LIMIT, darwin: 1024 * 1024 - 64 * 1024}
const POINTER_BYTES = 8
const LARGEST_LISTED = 3

export type SpawnSizeProblem =
  | {kind: 'variable'; name: string; bytes: number; limit: number}
  | {kind: 'total'; bytes: number; limit: number; largest: {name: string; bytes: number}[]}

export interface SpawnSize {
  command: string
  args?: readonly string[]
  env: Readonly<Record<string, string>>
}

export interface SpawnSizeMeasure {
  /** Arguments plus environment as execve counts them (strings, NULs, pointers). */
  bytes: number
  /** The total bella allows on this platform; undefined where none is known. */
  limit: number | undefined
  /** The largest single `NAME=value` allowed (Linux only). */
  perVariableLimit: number | undefined
  /** The largest variables, biggest first (names and sizes only). */
  largest: {name: string; bytes: number}[]
}

/** How much of the exec limits `spec` uses on `platform`. Sizes only, never values. */
export function measureSpawnSize(spec: SpawnSize, platform: NodeJS.Platform = process.platform): SpawnSizeMeasure {
  let total = 0
  const sizes: {name: string; bytes: number}[] = []
  for (const [name, value] of Object.entries(spec.env)) {
    const bytes = Buffer.byteLength(name) + Buffer.byteLength(value) + 2 // '=' and the NUL
    sizes.push({name, bytes})
    total += bytes + POINTER_BYTES
  }
  for (const arg of [spec.command, ...(spec.args ?? [])]) total += Buffer.byteLength(arg) + 1 + POINTER_BYTES
  const largest = sizes.sort((a, b) => b.bytes - a.bytes).slice(0, LARGEST_LISTED)
  return {bytes: total, limit: TOTAL_LIMITS[platform], perVariableLimit: platform === 'linux' ? MAX_ARG_STRLEN : undefined, largest}
}

/** Why `spec` cannot be exec'd on `platform`, or undefined when it fits. Sizes only, never values. */
export function checkSpawnSize(spec: SpawnSize, platform: NodeJS.Platform = process.platform): SpawnSizeProblem | undefined {
  const measure = measureSpawnSize(spec, platform)
  const {perVariableLimit: perVariable, limit, largest} = measure
  if (perVariable !== undefined && largest[0] !== undefined && largest[0].bytes > perVariable) {
    return {kind: 'variable', name: largest[0].name, bytes: largest[0].bytes, limit: perVariable}
  }
  if (limit === undefined || measure.bytes <= limit) return undefined
  return {kind: 'total', bytes: measure.bytes, limit, largest}
}

const FILE_SINK_HINT =
  'keep large values out of the environment: have `bella agent` write them to a file (dotenv, json or yaml sink) and let the program read that file'

/** The 126 for a command whose environment cannot be exec'd: names and sizes, never values. */
export function spawnSizeError(problem: SpawnSizeProblem, command: string): BellaError {
  const n = (bytes: number) => bytes.toLocaleString('en-US')
  if (problem.kind === 'variable') {
    return new BellaError(
      'cannotExecute',
      `Cannot start ${command}: environment variable ${quoteName(problem.name, 200)} is ${n(problem.bytes)} bytes (NAME=value), and Linux allows at most ` +
        `${n(problem.limit)} bytes (128 KiB, MAX_ARG_STRLEN) per variable.`,
      {code: 'environment_too_large', suggestions: [FILE_SINK_HINT, `or make ${quoteName(problem.name, 200)} smaller in Bella Baxter`]},
    )
  }
  const largest = problem.largest.map((v) => `${quoteName(v.name, 200)} (${n(v.bytes)} bytes)`).join(', ')
  return new BellaError(
    'cannotExecute',
    `Cannot start ${command}: its arguments and environment would take ${n(problem.bytes)} bytes, more than the ${n(problem.limit)} ` +
      `bella allows for them (the system limit, ARG_MAX, is usually ${n(problem.limit + 64 * 1024)}); the largest variables: ${largest}.`,
    {code: 'environment_too_large', suggestions: [FILE_SINK_HINT]},
  )
}
