/**
 * The API key's own scope (the keys/me answer: project and environment slugs, ids and names), kept
 * for an hour so a command that leaves -p/-e open makes one round trip instead of two. One small
 * JSON file per (API URL, key id) in the user cache folder, 0600 in a 0700 folder, written
 * atomically. It never holds a secret: no key secret, no token, no value.
 *
 * A cache may be lost or damaged at any time, so nothing here ever fails a command: an entry that
 * cannot be read, is malformed, expired, or made for another URL or key is simply not used (a
 * malformed one is deleted), and a write that fails is skipped.
 */
import {createHash} from 'node:crypto'
import {closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {KeyContext} from '../api/types.js'
import {removeSymlinkAt, writePrivateFileAtomic} from './private-files.js'

/** How long a saved key context is used (README: "Key context cache"). */
export const KEY_CONTEXT_TTL_MS = 60 * 60 * 1000
/** An entry saved this far in the future (a clock set back) is not trusted either. */
const CLOCK_SLACK_MS = 5 * 60 * 1000
/**
 * Entries not rewritten for this long are deleted when another is written: a key that is gone
 * (rotated, or a short-lived keyless key, a new id each job) would otherwise leave its file forever.
 */
const PRUNE_AFTER_MS = 24 * KEY_CONTEXT_TTL_MS
/** A real entry is well under 2 KiB; anything much larger is not one of ours. */
const MAX_ENTRY_BYTES = 16 * 1024
const FORMAT = 1

const CONTEXT_FIELDS = [
  'tenantId',
  'tenantSlug',
  'tenantName',
  'projectId',
  'projectSlug',
  'projectName',
  'environmentId',
  'environmentSlug',
  'environmentName',
] as const satisfies readonly (keyof KeyContext)[]

export interface CachedKeyContext {
  context: KeyContext
  savedAt: number
  file: string
}

export interface KeyContextCache {
  readonly file: string
  /** The saved context, when there is a usable one. */
  read(): CachedKeyContext | undefined
  /** Saves `context`; false when it could not be written (the command goes on). */
  write(context: KeyContext): boolean
  remove(): void
}

/** The entry's file: a hash of the API URL and key id, so neither shows in a listing. */
export function keyContextCacheFile(cacheDir: string, apiUrl: string, keyId: string): string {
  const hash = createHash('sha256').update(`${apiUrl}\n${keyId}`).digest('hex').slice(0, 32)
  return join(cacheDir, `key-context-${hash}.json`)
}

export function keyContextCache(cacheDir: string, apiUrl: string, keyId: string, now: () => number = Date.now): KeyContextCache {
  const file = keyContextCacheFile(cacheDir, apiUrl, keyId)
  const remove = () => {
    try {
      rmSync(file, {force: true})
    } catch {
      // A cache entry that cannot be removed is re-validated on every read anyway.
    }
  }
  return {
    file,
    read() {
      const text = readSmallFile(file)
      if (text === undefined) return undefined
      const entry = parseEntry(text)
      if (!entry) {
        remove()
        return undefined
      }
      if (entry.apiUrl !== apiUrl || entry.keyId !== keyId || entry.context.keyId !== keyId) return undefined
      const age = now() - entry.savedAt
      if (age > KEY_CONTEXT_TTL_MS || age < -CLOCK_SLACK_MS) return undefined
      return {context: entry.context, savedAt: entry.savedAt, file}
    },
    write(context) {
      const entry: Entry = {format: FORMAT, apiUrl, keyId, savedAt: now(), context: pickContext(context)}
      try {
        removeSymlinkAt(file)
        writePrivateFileAtomic(file, `${JSON.stringify(entry)}\n`)
      } catch {
        return false
      }
      pruneOldEntries(cacheDir, now())
      return true
    },
    remove,
  }
}

/** Deletes the entries last written more than PRUNE_AFTER_MS ago (by mtime: nothing is read). */
function pruneOldEntries(cacheDir: string, now: number): void {
  let names: string[]
  try {
    names = readdirSync(cacheDir)
  } catch {
    return
  }
  for (const name of names) {
    if (!/^key-context-[0-9a-f]{32}\.json$/.test(name)) continue
    try {
      const path = join(cacheDir, name)
      if (now - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, {force: true})
    } catch {
      // gone already, or not ours to remove: the next write tries again
    }
  }
}

interface Entry {
  format: number
  apiUrl: string
  keyId: string
  savedAt: number
  context: KeyContext
}

/** A regular file's text, or undefined when it is missing, unreadable, not a file, or too large. */
function readSmallFile(file: string): string | undefined {
  let fd: number
  try {
    // Non-blocking: opening a FIFO found there for reading would otherwise wait for a writer forever.
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0))
  } catch {
    return undefined
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || stat.size > MAX_ENTRY_BYTES) return '' // not ours: parsed as malformed, so deleted
    return readFileSync(fd, 'utf8')
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const hasExactly = (record: Record<string, unknown>, keys: readonly string[]) =>
  Object.keys(record).length === keys.length && keys.every((key) => Object.hasOwn(record, key))

const ENTRY_KEYS = ['format', 'apiUrl', 'keyId', 'savedAt', 'context'] as const
const CONTEXT_KEYS = ['keyId', 'role', ...CONTEXT_FIELDS] as const

/** The entry when its shape is exactly what `write` saves, else undefined. */
function parseEntry(text: string): Entry | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value) || !hasExactly(value, ENTRY_KEYS)) return undefined
  const {format, apiUrl, keyId, savedAt, context} = value
  if (format !== FORMAT || typeof apiUrl !== 'string' || typeof keyId !== 'string' || !Number.isSafeInteger(savedAt)) return undefined
  if (!isRecord(context) || !hasExactly(context, CONTEXT_KEYS)) return undefined
  if (typeof context['keyId'] !== 'string' || typeof context['role'] !== 'string') return undefined
  for (const field of CONTEXT_FIELDS) {
    const v = context[field]
    if (v !== null && (typeof v !== 'string' || v === '')) return undefined
  }
  return {format, apiUrl, keyId, savedAt: savedAt as number, context: context as unknown as KeyContext}
}

/** Only the fields bella uses, each a string or null: whatever else keys/me said is not kept. */
function pickContext(context: KeyContext): KeyContext {
  const picked = {keyId: context.keyId, role: context.role} as KeyContext
  for (const field of CONTEXT_FIELDS) {
    const v = context[field]
    picked[field] = typeof v === 'string' && v !== '' ? v : null
  }
  return picked
}
