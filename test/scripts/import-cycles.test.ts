/**
 * No import cycles anywhere in the sources (host, packages, plugins): a cycle makes module
 * start-up order matter, and in an esbuild bundle it can turn a binding into `undefined`.
 * Type-only imports are erased by the compiler and do not count.
 */
import {describe, expect, it} from '@jest/globals'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

function sourceRoots(): string[] {
  const under = (folder: string) => readdirSync(join(root, folder)).map((name) => join(root, folder, name, 'src'))
  return [join(root, 'src'), ...under('packages'), ...under('plugins')].filter((dir) => existsSync(dir))
}

function tsFiles(dir: string, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) tsFiles(path, into)
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) into.push(path)
  }
  return into
}

// `import {a, type B} from './x.js'`, `export * from './y.js'`, `import './z.js'`; not `import type`.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)([^'";]*?)\s*from\s*['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm
const ONLY_TYPES = /^\{\s*(?:type\s+[\w$]+(?:\s+as\s+[\w$]+)?\s*,?\s*)+\}$/

function importsOf(file: string): string[] {
  const found: string[] = []
  for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
    const [, clause, from, bare] = match
    if (clause && ONLY_TYPES.test(clause.trim())) continue
    const target = resolve(dirname(file), (from ?? bare)!.replace(/\.js$/, '.ts'))
    found.push(existsSync(target) ? target : join(target.replace(/\.ts$/, ''), 'index.ts'))
  }
  return found
}

function findCycles(files: string[], importsOfFile: (file: string) => string[] = importsOf): string[][] {
  const edges = new Map(files.map((file) => [file, importsOfFile(file)]))
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of files) if (!state.has(file)) visit(file)
  return cycles
}

describe('the sources', () => {
  it('have no import cycles', () => {
    const files = sourceRoots().flatMap((dir) => tsFiles(dir))
    expect(files.length).toBeGreaterThan(200)
    expect(findCycles(files)).toEqual([])
  })

  it('the cycle finder sees a real import and reports a cycle when one is added', () => {
    const service = join(root, 'plugins', 'run', 'src', 'run-service.ts')
    const fast = join(root, 'plugins', 'run', 'src', 'fast-run.ts')
    expect(importsOf(fast)).toContain(service)
    expect(findCycles([service, fast])).toEqual([])
    // The same two files, had run-service imported fast-run back.
    const withBackEdge = (file: string) => (file === service ? [...importsOf(service), fast] : importsOf(file))
    expect(findCycles([service, fast], withBackEdge)).toEqual([['plugins/run/src/run-service.ts', 'plugins/run/src/fast-run.ts', 'plugins/run/src/run-service.ts']])
  })
})
