/**
 * The start-up chart `npm run bench` writes to docs/startup.svg (scripts/bench-chart.mjs), drawn
 * from fixed numbers: one labelled bar per command, scaled to the largest, with its value in ms.
 */
import {describe, expect, it} from '@jest/globals'
import {startupChartSvg, type ChartRow} from '../../scripts/bench-chart.mjs'

const ROWS: ChartRow[] = [
  {label: '`node -e 0`', ms: 80},
  {label: 'bella --version (npm install)', ms: 100, bella: true},
  {label: 'bella run -- true (npm install)', ms: 160, bella: true},
  {label: 'dotenv -- true (dotenv-cli)', ms: 120},
  {label: 'bella --version (single binary)', ms: 40.04, bella: true},
  {label: 'bella run -- true (single binary)', ms: 120.25, bella: true},
]

/** The bars (not the background): their widths, in document order. */
const barWidths = (svg: string) => [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="18"/g)].map((m) => Number(m[1]))
const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1])

describe('startupChartSvg', () => {
  const svg = startupChartSvg(ROWS)

  it('is one SVG document with a title and a bar per row, scaled so the slowest spans the full width', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg).toContain('<title id="title">Start-up, median wall-clock ms (shorter is better)</title>')
    expect(barWidths(svg)).toEqual([150, 187.5, 300, 225, 75.1, 225.5])
    // Every opened group is closed: a truncated document would not render.
    expect(svg.match(/<g>/g)).toHaveLength(ROWS.length)
    expect(svg.match(/<\/g>/g)).toHaveLength(ROWS.length)
  })

  it('labels every bar and writes its median in ms with one decimal', () => {
    const all = texts(svg)
    for (const row of ROWS) expect(all).toContain(row.label)
    expect(all).toEqual(expect.arrayContaining(['80.0 ms', '100.0 ms', '160.0 ms', '120.0 ms', '40.0 ms', '120.3 ms']))
  })

  it("draws bella's own rows in the accent colour, the others in grey", () => {
    const fills = [...svg.matchAll(/height="18" rx="2" fill="(#[0-9a-f]{6})"/g)].map((m) => m[1])
    expect(fills).toEqual(ROWS.map((row) => (row.bella ? '#2f6fb0' : '#9aa5b1')))
  })

  it('escapes XML in labels and titles', () => {
    const odd = startupChartSvg([{label: 'a <b> & "c"', ms: 1}], {title: 'x & y'})
    expect(odd).toContain('>a &lt;b&gt; &amp; &quot;c&quot;</text>')
    expect(odd).toContain('<title id="title">x &amp; y</title>')
    expect(odd).not.toContain('<b>')
  })

  it('is deterministic, and refuses an empty list or a missing measurement', () => {
    expect(startupChartSvg(ROWS)).toBe(svg)
    expect(() => startupChartSvg([])).toThrow('no rows')
    expect(() => startupChartSvg([{label: 'binary', ms: Number.NaN}])).toThrow('"binary" has no usable value')
  })
})
