// The start-up chart of `npm run bench` (docs/startup.svg): one horizontal bar per command, its
// label on the left and its median in ms at the end of the bar. Hand-written SVG, no dependency,
// and deterministic (the same numbers give the same bytes), so it can be tested on fixed numbers.

const ROW = 28
const BAR = 18
const LABEL_WIDTH = 430
const BAR_SPACE = 300
const VALUE_SPACE = 80
const TOP = 44
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13"'

/** `&`, `<`, `>` and quotes as XML entities (labels come from the bench's own table). */
export function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'})[c])
}

/** `86.2 ms`: one decimal, whatever the input's precision. */
export const formatMs = (ms) => `${ms.toFixed(1)} ms`

/**
 * The SVG text of a bar chart of `rows` ({label, ms, bella?}, drawn in the given order). Bars are
 * scaled to the largest value; rows with `bella: true` are drawn in the accent colour.
 * Throws on an empty list or a value that is not a finite, non-negative number.
 */
export function startupChartSvg(rows, {title = 'Start-up, median wall-clock ms (shorter is better)'} = {}) {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('startupChartSvg: no rows to draw')
  for (const row of rows) {
    if (typeof row.ms !== 'number' || !Number.isFinite(row.ms) || row.ms < 0) {
      throw new Error(`startupChartSvg: ${JSON.stringify(row.label)} has no usable value (${row.ms})`)
    }
  }
  const max = Math.max(...rows.map((row) => row.ms)) || 1
  const width = LABEL_WIDTH + BAR_SPACE + VALUE_SPACE
  const height = TOP + rows.length * ROW + 12
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title">`,
    `  <title id="title">${escapeXml(title)}</title>`,
    `  <rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `  <text x="10" y="24" ${FONT} font-weight="bold" fill="#222222">${escapeXml(title)}</text>`,
  ]
  rows.forEach((row, index) => {
    const y = TOP + index * ROW
    const barWidth = Math.max(1, Math.round((row.ms / max) * BAR_SPACE * 10) / 10)
    const fill = row.bella ? '#2f6fb0' : '#9aa5b1'
    const middle = y + BAR / 2 + 4.5
    out.push(
      `  <g>`,
      `    <text x="${LABEL_WIDTH - 10}" y="${middle}" ${FONT} text-anchor="end" fill="#222222">${escapeXml(row.label)}</text>`,
      `    <rect x="${LABEL_WIDTH}" y="${y}" width="${barWidth}" height="${BAR}" rx="2" fill="${fill}"/>`,
      `    <text x="${LABEL_WIDTH + barWidth + 6}" y="${middle}" ${FONT} fill="#222222">${escapeXml(formatMs(row.ms))}</text>`,
      `  </g>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
