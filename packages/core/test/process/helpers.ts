import {type ChildProcess, spawn, type SpawnOptions} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import ts from 'typescript'

export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url))
export const fixture = (name: string) => join(FIXTURES, name)
const CORE_SRC = fileURLToPath(new URL('../../src/', import.meta.url))

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bella-process-test-'))
}

let compiled: string | undefined
/**
 * The driver fixture runs in a plain `node`, so it needs JavaScript. Transpiling the current
 * source here (rather than importing packages/core/dist) means the tests never exercise a stale
 * build. Returns the file URL of the transpiled process/index.js.
 */
export function processModuleUrl(): string {
  if (compiled) return compiled
  const out = tempDir()
  const emit = (from: string, to: string) => {
    const {outputText} = ts.transpileModule(readFileSync(from, 'utf8'), {
      compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022},
    })
    writeFileSync(to, outputText)
  }

  writeFileSync(join(out, 'package.json'), '{"type":"module"}')
  // Core's top-level modules (errors, display, redact, …): process/* imports some of them.
  for (const file of readdirSync(CORE_SRC)) {
    if (file.endsWith('.ts')) emit(join(CORE_SRC, file), join(out, file.replace(/\.ts$/, '.js')))
  }
  // process/ and its folders (mask/).
  const emitFolder = (folder: string) => {
    mkdirSync(join(out, folder))
    for (const entry of readdirSync(join(CORE_SRC, folder), {withFileTypes: true})) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) emitFolder(path)
      else if (entry.name.endsWith('.ts')) emit(join(CORE_SRC, path), join(out, path.replace(/\.ts$/, '.js')))
    }
  }
  emitFolder('process')

  compiled = pathToFileURL(join(out, 'process', 'index.js')).href
  compiledDir = out
  return compiled
}

let compiledDir: string | undefined
/** Remove what processModuleUrl() wrote (call from afterAll). */
export function removeCompiled(): void {
  if (compiledDir) removeDir(compiledDir)
  compiled = compiledDir = undefined
}

/** A spawned process whose stdout and stderr lines we can wait for (no sleeping). */
export class Watched {
  readonly proc: ChildProcess
  output = ''
  readonly exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  private waiters: (() => void)[] = []

  constructor(command: string, args: string[], options: SpawnOptions = {}) {
    this.proc = spawn(command, args, {stdio: ['pipe', 'pipe', 'pipe'], ...options})
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8')
      for (const waiter of this.waiters.splice(0)) waiter()
    }

    this.proc.stdout?.on('data', collect)
    this.proc.stderr?.on('data', collect)
    this.exit = new Promise((resolve) => {
      this.proc.once('close', (code, signal) => {
        for (const waiter of this.waiters.splice(0)) waiter()
        resolve({code, signal})
      })
    })
  }

  /** Resolve with the first match of `pattern` in the output so far or to come. */
  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.output.match(pattern)
      if (match) return match
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        await new Promise((r) => setImmediate(r)) // let the last chunks arrive
        const late = this.output.match(pattern)
        if (late) return late
        throw new Error(`process exited before printing ${pattern}; output:\n${this.output}`)
      }

      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output:\n${this.output}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Count of non-overlapping matches of `pattern` (global) in the output so far. */
  count(pattern: RegExp): number {
    return [...this.output.matchAll(pattern)].length
  }

  /** Kill the whole process group if it is still around (cleanup after a failed test). */
  cleanup(): void {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null || this.proc.pid === undefined) return
    try {
      process.kill(-this.proc.pid, 'SIGKILL')
    } catch {
      this.proc.kill('SIGKILL')
    }
  }
}

/** Lines of the signal-recorder's record file. */
export function recorded(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}
