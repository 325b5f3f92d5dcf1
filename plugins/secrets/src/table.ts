/**
 * Plain-text tables. At a terminal (a `width` is given) the `flex` column is cut with "…" so each
 * line fits; piped (no width), every cell is printed in full, so `| grep`, `| cut` and `| awk` see
 * whole names. Callers pass cells already made safe (quoteName / maskControls).
 */
const GAP = '  '

export interface TableOptions {
  /** The terminal's width; undefined when stdout is not a terminal (no truncation then). */
  width?: number
  /** The column that gives up width at a terminal (default: the first). */
  flex?: number
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const flex = options.flex ?? 0
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  if (options.width !== undefined) {
    const others = widths.reduce((sum, w, i) => (i === flex ? sum : sum + w), 0) + GAP.length * (header.length - 1)
    widths[flex] = Math.max(header[flex]!.length, 8, Math.min(widths[flex]!, options.width - others))
  }
  const fit = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`)
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 && (options.width === undefined || i !== flex) ? cell : fit(cell, widths[i]!)))
      .join(GAP)
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** `2026-05-01 12:00` from an ISO date-time; `-` when absent, `?` when unreadable. */
export function shortTime(iso: string | null): string {
  if (!iso) return '-'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '?' : `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)}`
}
