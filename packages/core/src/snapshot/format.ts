/**
 * The snapshot file format: one line of header JSON (format version, server, key id, project,
 * environment), then one line of base64 holding nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag
 * (16 bytes). The header line is the GCM additional data, so a file moved to another name, or
 * edited to claim another server, key or environment, fails authentication like a flipped byte.
 *
 * The key comes from HKDF-SHA256 over the API key's secret part: only the holder of that key can
 * read or forge a snapshot; the key id alone (which appears in logs) is not enough.
 */
import {createCipheriv, createDecipheriv, hkdfSync, randomBytes} from 'node:crypto'
import type {FetchedEnvironmentSecrets} from '../api/secrets-response.js'

export const SNAPSHOT_FORMAT = 'bella-snapshot'
export const SNAPSHOT_VERSION = 1

export interface SnapshotHeader {
  server: string
  keyId: string
  project: string
  environment: string
}

export interface Snapshot {
  header: SnapshotHeader
  /** When the secrets were fetched (ms since the epoch), from the authenticated payload. */
  fetchedAt: number
  fetched: FetchedEnvironmentSecrets
}

/** Why a file is not a usable snapshot; the file is then deleted. Never carries a value. */
export class SnapshotRefused extends Error {}

const NONCE = 12
const TAG = 16

export function snapshotKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'bella offline snapshot', `${SNAPSHOT_FORMAT}/v${SNAPSHOT_VERSION} aes-256-gcm`, 32))
}

function headerLine(header: SnapshotHeader): string {
  const {server, keyId, project, environment} = header
  return JSON.stringify({format: SNAPSHOT_FORMAT, v: SNAPSHOT_VERSION, server, keyId, project, environment})
}

/** The file's bytes for `fetched`, encrypted under `key` with a fresh random nonce. */
export function sealSnapshot(key: Buffer, header: SnapshotHeader, fetched: FetchedEnvironmentSecrets, fetchedAt: number): Buffer {
  const aad = headerLine(header)
  const payload = JSON.stringify({
    fetchedAt,
    version: fetched.version,
    lastModified: fetched.lastModified,
    environmentSlug: fetched.environmentSlug,
    environmentName: fetched.environmentName,
    // Pairs, not an object: a secret named `__proto__` stays an ordinary entry on the way back.
    secrets: Object.entries(fetched.secrets),
    sealed: fetched.sealed,
  })
  const nonce = randomBytes(NONCE)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const body = Buffer.concat([nonce, cipher.update(payload, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return Buffer.from(`${aad}\n${body.toString('base64')}\n`, 'utf8')
}

/** The header as written, read without decrypting (to list a key's snapshots); undefined if malformed. */
export function peekHeader(file: Buffer): SnapshotHeader | undefined {
  const newline = file.indexOf(0x0a)
  if (newline <= 0) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(file.subarray(0, newline).toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const h = parsed as Record<string, unknown>
  const strings = [h.server, h.keyId, h.project, h.environment].every((v) => typeof v === 'string' && v !== '')
  if (h.format !== SNAPSHOT_FORMAT || h.v !== SNAPSHOT_VERSION || !strings) return undefined
  return {server: h.server as string, keyId: h.keyId as string, project: h.project as string, environment: h.environment as string}
}

/**
 * Decrypts and checks a snapshot file written for `expected`. Throws SnapshotRefused (with a
 * reason fit for a warning) when it is not one: another format, another key, a changed byte.
 */
export function openSnapshot(key: Buffer, expected: SnapshotHeader, file: Buffer): Snapshot {
  const header = peekHeader(file)
  if (!header) throw new SnapshotRefused('not a bella snapshot of a version this bella reads')
  const aad = headerLine(header)
  if (aad !== headerLine(expected)) throw new SnapshotRefused('it was written for another server, key or environment')
  const text = file.subarray(Buffer.byteLength(aad) + 1).toString('utf8').trim()
  const body = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0)
  if (body.length < NONCE + TAG + 2) throw new SnapshotRefused('it is truncated or malformed')
  let plain: string
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE))
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(body.subarray(body.length - TAG))
    plain = Buffer.concat([decipher.update(body.subarray(NONCE, body.length - TAG)), decipher.final()]).toString('utf8')
  } catch {
    throw new SnapshotRefused('it does not authenticate with this API key (changed, damaged, or written with another key)')
  }
  return {header, ...parsePayload(plain)}
}

function parsePayload(plain: string): Omit<Snapshot, 'header'> {
  let p: Record<string, unknown>
  try {
    p = JSON.parse(plain) as Record<string, unknown>
  } catch {
    throw new SnapshotRefused('its content is malformed')
  }
  const pairs = p?.secrets
  const pairsOk = Array.isArray(pairs) && pairs.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'string')
  const sealed = p?.sealed
  const sealedOk = Array.isArray(sealed) && sealed.every((n) => typeof n === 'string')
  if (!pairsOk || !sealedOk || typeof p.fetchedAt !== 'number' || typeof p.version !== 'number') throw new SnapshotRefused('its content is malformed')
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  return {
    fetchedAt: p.fetchedAt,
    fetched: {
      // fromEntries defines own properties, as the API layer does (secrets-response.ts).
      secrets: Object.fromEntries(pairs as [string, string][]),
      sealed: sealed as string[],
      version: p.version,
      lastModified: text(p.lastModified),
      environmentSlug: text(p.environmentSlug),
      environmentName: text(p.environmentName),
    },
  }
}
