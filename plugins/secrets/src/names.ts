/** Secret names as data: close-name suggestions and maps that a name like `__proto__` cannot break. */

function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = saved
    }
  }
  return row[b.length]!
}

/** Up to `max` names close to `wanted`: same letters in another case, a contained name, or a few edits away. */
export function closeNames(wanted: string, names: Iterable<string>, max = 3): string[] {
  const lower = wanted.toLowerCase()
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  const scored: [string, number][] = []
  for (const name of new Set(names)) {
    const other = name.toLowerCase()
    if (name === wanted) continue
    let score = distance(lower, other)
    if (other === lower) score = 0
    else if (lower.length >= 3 && (other.includes(lower) || lower.includes(other))) score = Math.min(score, 1)
    if (score <= limit) scored.push([name, score])
  }
  return scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max).map(([name]) => name)
}
