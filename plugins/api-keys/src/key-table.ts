/**
 * The `api-keys list` table: id, name, prefix, created, last used, expiry, status, fitted to the
 * terminal width (80 columns when unknown). Ids are shortened to 8 characters (what `revoke` and
 * `rotate` accept as a short id); names absorb the remaining width and are cut with "…". Text
 * from the server is stripped of control characters before it reaches the terminal.
 */
import {maskControls} from '@bella/core'
import type {ApiKeyResponse} from './types.js'

export type KeyStatus = 'active' | 'expired' | 'revoked' | 'disabled'

export function keyStatus(key: ApiKeyResponse, now: Date): KeyStatus {
  if (key.revokedAt) return 'revoked'
  if (!key.isActive) return 'disabled'
  if (key.isExpired || (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime())) return 'expired'
  return 'active'
}

const GAP = '  '
const MIN_NAME = 8

/** Control characters, line separators and bidi overrides become `?` (core's maskControls). */
const clean = (text: string) => maskControls(text)

function day(iso: string | null): string {
  if (!iso) return 'never'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '?' : date.toISOString().slice(0, 10)
}

/** "never", "just now", "5m ago", "3h ago", "12d ago", or the date when older than 99 days. */
export function lastUsed(iso: string | null, now: Date): string {
  if (!iso) return 'never'
  const ms = now.getTime() - Date.parse(iso)
  if (Number.isNaN(ms)) return '?'
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes}m ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h ago`
  const days = Math.floor(hours / 24)
  return days <= 99 ? `${days}d ago` : day(iso)
}

function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`
}

export function renderKeyTable(keys: readonly ApiKeyResponse[], options: {width?: number; now?: Date} = {}): string {
  const now = options.now ?? new Date()
  const width = Math.max(options.width ?? 80, 60)
  const header = ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'EXPIRES', 'STATUS']
  const rows = keys.map((k) => [
    clean(k.id).replace(/-/g, '').slice(0, 8),
    clean(k.clientName),
    clean(k.keyPrefix),
    day(k.createdAt),
    lastUsed(k.lastUsedAt, now),
    day(k.expiresAt),
    keyStatus(k, now),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const others = widths.reduce((sum, w, i) => (i === 1 ? sum : sum + w), 0) + GAP.length * (header.length - 1)
  widths[1] = Math.max(MIN_NAME, Math.min(widths[1]!, width - others))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : fit(cell, widths[i]!)))
      .join(GAP)
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}
