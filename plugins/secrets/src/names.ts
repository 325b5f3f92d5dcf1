/** Secret names as data: close-name suggestions and maps that a name like `__proto__` cannot break. */
import {editDistance} from '@bella/core'

/** Up to `max` names close to `wanted`: same letters in another case, a contained name, or a few edits away. */
export function closeNames(wanted: string, names: Iterable<string>, max = 3): string[] {
  const lower = wanted.toLowerCase()
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  const scored: [string, number][] = []
  for (const name of new Set(names)) {
    const other = name.toLowerCase()
    if (name === wanted) continue
    let score = editDistance(lower, other)
    if (other === lower) score = 0
    else if (lower.length >= 3 && (other.includes(lower) || lower.includes(other))) score = Math.min(score, 1)
    if (score <= limit) scored.push([name, score])
  }
  return scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max).map(([name]) => name)
}
