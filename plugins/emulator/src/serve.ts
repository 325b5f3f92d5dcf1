/**
 * Runs the emulator in the foreground for `bella emulator`: two shell-ready lines on stdout, a
 * banner and one line per request on stderr, and a clean stop when `signal` aborts. Kept apart
 * from the oclif command so it can be tested in-process with its own streams.
 */
import {keyPrefix} from '@bella/core'
import {startEmulator, type Emulator} from './emulator.js'
import {loadSeedFile} from './seed/seed-file.js'
import type {RequestLogEntry} from './server.js'

export interface ServeOptions {
  port: number
  seedFile?: string
  /** PostgreSQL admin URL for dynamic database credentials (--postgres-url). */
  postgresUrl?: string
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Aborting it (SIGINT/SIGTERM in the command) stops the server. */
  signal: AbortSignal
  /** Called once the server listens (tests use it to reach the running emulator). */
  onReady?: (emulator: Emulator) => void
}

/** `HH:MM:SS GET /path 200 3ms`: no query, no headers, no bodies. */
export function formatLogLine(entry: RequestLogEntry): string {
  const status = entry.status === 0 ? 'reset' : String(entry.status)
  const extras = [entry.encrypted ? 'e2ee' : '', entry.fault ? `fault: ${entry.fault}` : ''].filter(Boolean)
  return `${entry.time.slice(11, 19)} ${entry.method} ${entry.path} ${status} ${entry.durationMs}ms${extras.length ? ` (${extras.join(', ')})` : ''}`
}

function banner(emulator: Emulator, seedLabel: string): string {
  const lines = [`bella emulator listening on ${emulator.url} (seed: ${seedLabel})`]
  for (const project of emulator.state.projects) {
    for (const env of project.environments) {
      const secrets = Object.keys(emulator.state.mergedSecrets(env)).length
      const providers = env.providers.map((v) => v.slug).join(', ') || 'no providers'
      lines.push(`  ${project.slug}/${env.slug}: ${secrets} secret(s) from ${providers}`)
    }
  }
  const first = emulator.apiKeys[0]!
  lines.push(`  API key ${keyPrefix(first.id)}… (in full on stdout); admin routes under ${emulator.url}/__emulator/`)
  const databases = emulator.state.projects.flatMap((p) => p.environments.flatMap((e) => e.providers.filter((v) => v.dynamic).map((v) => `${p.slug}/${e.slug}/${v.slug}`)))
  const postgres = emulator.dynamicCredentials.describe()
  if (postgres) lines.push(`  database credentials: PostgreSQL ${postgres}${databases.length ? ` for ${databases.join(', ')}` : ' (no database provider in the seed)'}`)
  else if (databases.length) lines.push(`  database providers ${databases.join(', ')} need --postgres-url to issue credentials`)
  lines.push('  Ctrl-C to stop')
  return `${lines.join('\n')}\n`
}

export async function serveInForeground(options: ServeOptions): Promise<void> {
  const seed = options.seedFile === undefined ? undefined : await loadSeedFile(options.seedFile)
  if (options.signal.aborted) return
  const emulator = await startEmulator({
    port: options.port,
    ...(seed ? {seed} : {}),
    ...(options.postgresUrl ? {postgres: {adminUrl: options.postgresUrl}} : {}),
  })
  try {
    emulator.onRequest((entry) => options.stderr.write(`${formatLogLine(entry)}\n`))
    emulator.onError((error) => options.stderr.write(`emulator error: ${error instanceof Error ? error.message : String(error)}\n`))
    // Plain NAME=value lines: `export $(cat file)`, `set -a; . file` and `eval` all accept them.
    options.stdout.write(`BELLA_BAXTER_URL=${emulator.url}\nBELLA_BAXTER_API_KEY=${emulator.apiKey}\n`)
    options.stderr.write(banner(emulator, options.seedFile ?? 'built-in demo'))
    options.onReady?.(emulator)
    if (!options.signal.aborted) {
      await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), {once: true}))
    }
  } finally {
    await emulator.close()
  }
  options.stderr.write('bella emulator stopped\n')
}
