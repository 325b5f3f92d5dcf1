// `npm run bench`, output masking (SPEC "Performance budgets": `--mask` ≥ 200 MB/s, or within 3× of
// `cat`, whichever is slower). 100 MB of log lines, one in ten carrying one of 1,000 secrets, read
// by `cat` alone and by `bella run --mask -- cat`, both into a counting sink over a pipe. bella's
// fixed cost (start-up, fetching 1,000 secrets, compiling them) is measured apart, with an empty
// file, and subtracted: the row is the masker's throughput.
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {createWriteStream, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const TOTAL_BYTES = 100 * 1024 * 1024
const SECRETS = 1000
const ROUNDS = 3

/** Runs `cmd args` with stdout into a counting sink; resolves to {ms, bytes}. */
function timed(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    let bytes = 0
    let stderr = ''
    child.stdout.on('data', (d) => (bytes += d.length))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`))
      resolve({ms: Number(process.hrtime.bigint() - start) / 1e6, bytes})
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** The masking row for docs/benchmarks.md, as a budget: bella's time over cat's, against the limit. */
export async function benchMask({bella, baseEnv, startEmulator}) {
  const work = mkdtempSync(join(tmpdir(), 'bella-bench-mask-'))
  const secrets = {}
  const values = []
  for (let i = 0; i < SECRETS; i++) {
    const value = randomBytes(18 + (i % 16)).toString('base64')
    values.push(value)
    secrets[`SECRET_${i}`] = value
  }
  const emulator = await startEmulator({
    port: 0,
    seed: {
      projects: [{slug: 'logs', name: 'Logs', environments: [{slug: 'ci', name: 'CI', providers: [{slug: 'vault', name: 'Vault', type: 'vault', secrets}]}]}],
      keys: [{name: 'bench', project: 'logs', environment: 'ci', role: 'CONSUMER'}],
    },
  })
  try {
    // 1 MB of log lines (every secret in it), repeated: masking must find them all every time.
    const lines = []
    let blockBytes = 0
    let masked = 0
    let maskedBytes = 0
    for (let i = 0; blockBytes < 1024 * 1024; i++) {
      const secret = i % 10 === 0 ? values[(i / 10) % SECRETS] : undefined
      const line = `2026-11-26T10:00:00.${String(i % 1000).padStart(3, '0')}Z INFO request id=${i} path=/api/v1/items/${i} status=200 ${secret ? `token=${secret}` : 'user=someone@example.com'}\n`
      lines.push(line)
      blockBytes += Buffer.byteLength(line)
      if (secret) (masked += 1), (maskedBytes += secret.length)
    }
    const block = Buffer.from(lines.join(''))
    const repeats = Math.ceil(TOTAL_BYTES / block.length)
    const file = join(work, 'output.log')
    const out = createWriteStream(file)
    for (let i = 0; i < repeats; i++) if (!out.write(block)) await new Promise((r) => out.once('drain', r))
    await new Promise((r) => out.end(r))
    const empty = join(work, 'empty.log')
    writeFileSync(empty, '')
    const size = block.length * repeats
    const expected = size - repeats * (maskedBytes - masked * 5)

    const env = {...baseEnv, BELLA_BAXTER_URL: emulator.url, BELLA_BAXTER_API_KEY: emulator.apiKey}
    const run = (path) => timed(process.execPath, [bella, 'run', '-p', 'logs', '-e', 'ci', '--mask', '--', 'cat', path], env)
    const cat = [], masking = [], fixed = []
    for (let round = 0; round < ROUNDS; round++) {
      cat.push((await timed('cat', [file], env)).ms)
      const r = await run(file)
      if (r.bytes !== expected) throw new Error(`bench: --mask wrote ${r.bytes} bytes, ${expected} expected`)
      masking.push(r.ms)
      fixed.push((await run(empty)).ms)
    }
    const mbps = (ms) => size / 1e6 / (ms / 1000)
    const catMbps = mbps(median(cat))
    const maskMbps = mbps(Math.max(1, median(masking) - median(fixed)))
    // At least 200 MB/s, or within 3× of cat, whichever is slower: as a slowdown against cat.
    return {
      what: `output masking: \`bella run --mask -- cat\`, ${(size / 1e6).toFixed(0)} MB (${(masked * repeats).toLocaleString('en')} values masked), ${SECRETS.toLocaleString('en')} secrets: ${maskMbps.toFixed(0)} MB/s (start-up ${median(fixed).toFixed(0)} ms subtracted) vs \`cat\` ${catMbps.toFixed(0)} MB/s; limit ≥ ${Math.min(200, catMbps / 3).toFixed(0)} MB/s`,
      value: catMbps / maskMbps,
      limit: Math.max(3, catMbps / 200),
      unit: '×',
    }
  } finally {
    await emulator.close()
    rmSync(work, {recursive: true, force: true})
  }
}
