#!/usr/bin/env node
// `npm run bench`: start-up and run-path costs as ratios measured in one run on this machine
// (SPEC "Performance budgets"). Wall-clock medians of repeated runs, interleaved so that machine
// noise hits every command alike. Prints a table and keeps it in docs/benchmarks.md.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.BENCH_RUNS ?? 25)
const warmups = 3
const bella = join(root, 'bin', 'run.js')
const work = mkdtempSync(join(tmpdir(), 'bella-bench-'))
writeFileSync(join(work, '.env'), 'GREETING=hello\nDATABASE_URL=postgres://u:p@localhost/db\n')

async function startEmulator() {
  const child = spawn(process.execPath, [bella, 'emulator', '--port', '0'], {stdio: ['ignore', 'pipe', 'ignore']})
  let out = ''
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      if ((out.match(/^BELLA_BAXTER_/gm) ?? []).length >= 2) resolve()
    })
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)))
  })
  const env = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  return {child, env}
}

function time(cmd, args, env) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, {cwd: work, env, stdio: ['ignore', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const emulator = await startEmulator()
const baseEnv = {...process.env, XDG_CONFIG_HOME: join(work, 'config'), BELLA_CREDENTIAL_STORE: 'file'}
const bellaEnv = {...baseEnv, ...emulator.env}
const dotenvBin = join(root, 'node_modules', 'dotenv-cli', 'cli.js')

const cases = [
  {id: 'node', label: '`node -e 0`', cmd: process.execPath, args: ['-e', '0'], env: baseEnv},
  {id: 'version', label: '`bella --version`', cmd: process.execPath, args: [bella, '--version'], env: baseEnv},
  {id: 'run', label: '`bella run -- true` (emulator, loopback)', cmd: process.execPath, args: [bella, 'run', '--', 'true'], env: bellaEnv},
  {id: 'dotenv', label: "`dotenv -- true` (dotenv-cli, local file)", cmd: process.execPath, args: [dotenvBin, '--', 'true'], env: baseEnv},
]

const samples = Object.fromEntries(cases.map((c) => [c.id, []]))
try {
  for (let i = 0; i < warmups + runs; i++) {
    for (const c of cases) {
      const ms = time(c.cmd, c.args, c.env)
      if (i >= warmups) samples[c.id].push(ms)
    }
  }
} finally {
  emulator.child.kill('SIGTERM')
  rmSync(work, {recursive: true, force: true})
}

const med = Object.fromEntries(cases.map((c) => [c.id, median(samples[c.id])]))
const budgets = [
  {what: '`bella --version` / `node -e 0`', ratio: med.version / med.node, budget: 2},
  {what: '`bella run -- true` / `node -e 0`', ratio: med.run / med.node, budget: 2.5},
  {what: '`bella run -- true` / `dotenv -- true`', ratio: med.run / med.dotenv, budget: 1.5},
]

const lines = []
lines.push('# Benchmarks', '')
lines.push(`Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${runs} interleaved runs after ${warmups} warm-ups, wall-clock medians. Compare ratios, not milliseconds: the machine is noisy.`, '')
lines.push('| command | median ms |', '| --- | ---: |')
for (const c of cases) lines.push(`| ${c.label} | ${med[c.id].toFixed(1)} |`)
lines.push('', '| budget | ratio | limit | verdict |', '| --- | ---: | ---: | --- |')
for (const b of budgets) lines.push(`| ${b.what} | ${b.ratio.toFixed(2)}× | ${b.budget}× | ${b.ratio <= b.budget ? 'within' : '**over**'} |`)
const table = `${lines.join('\n')}\n`
process.stdout.write(table)
writeFileSync(join(root, 'docs', 'benchmarks.md'), table)
