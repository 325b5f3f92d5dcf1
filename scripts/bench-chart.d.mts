// Types of scripts/bench-chart.mjs, for the tests (test/scripts/bench-chart.test.ts).
export interface ChartRow {
  label: string
  ms: number
  /** Drawn in the accent colour: one of bella's own rows. */
  bella?: boolean
}
export function escapeXml(text: string): string
export function formatMs(ms: number): string
export function startupChartSvg(rows: ChartRow[], options?: {title?: string}): string
