import {describe, expect, it} from '@jest/globals'
import {createServer} from 'node:net'
import {PassThrough} from 'node:stream'
import {createEphemeralKey} from '@bella/core'
import {serveInForeground, type Emulator} from '../src/index.js'
import {send, signedHeaders} from './helpers/signed-request.js'

function capture(): {stream: PassThrough; text: () => string} {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  return {stream, text: () => Buffer.concat(chunks).toString('utf8')}
}

async function withServe(run: (emulator: Emulator, out: () => string, err: () => string) => Promise<void>, seedFile?: string) {
  const stdout = capture()
  const stderr = capture()
  const controller = new AbortController()
  let ready!: (e: Emulator) => void
  const started = new Promise<Emulator>((resolve) => (ready = resolve))
  const serving = serveInForeground({
    port: 0,
    ...(seedFile ? {seedFile} : {}),
    stdout: stdout.stream,
    stderr: stderr.stream,
    signal: controller.signal,
    onReady: ready,
  })
  const emulator = await Promise.race([started, serving.then(() => Promise.reject(new Error('stopped before ready')))])
  try {
    await run(emulator, stdout.text, stderr.text)
  } finally {
    controller.abort()
    await serving
  }
  return {stdout: stdout.text(), stderr: stderr.text()}
}

describe('serveInForeground (bella emulator)', () => {
  it('prints exactly two shell-ready lines on stdout', async () => {
    const {stdout} = await withServe(async () => {})
    const lines = stdout.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^BELLA_BAXTER_URL=http:\/\/127\.0\.0\.1:\d+$/)
    expect(lines[1]).toMatch(/^BELLA_BAXTER_API_KEY=bax-[0-9a-f]{32}-[0-9a-f]{64}$/)
    expect(lines[2]).toBe('')
  })

  it('serves what it printed: the URL and key work for a signed request', async () => {
    await withServe(async (_emulator, out) => {
      const vars = Object.fromEntries(out().trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      const res = await send({url: vars.BELLA_BAXTER_URL!, apiKey: vars.BELLA_BAXTER_API_KEY!}, {path: '/api/v1/keys/me'})
      expect(res.status).toBe(200)
    })
  })

  it('logs method, path and status on stderr, never bodies, queries, signatures or keys', async () => {
    let signature = ''
    let apiKey = ''
    const {stderr} = await withServe(async (emulator) => {
      apiKey = emulator.apiKey
      const key = createEphemeralKey()
      const res = await send(emulator, {
        path: '/api/v1/projects/demo/environments/dev/secrets?token=shh',
        headers: {'X-E2E-Public-Key': key.publicKeySpki},
      })
      expect(res.status).toBe(200)
      const path = '/api/v1/projects/demo/environments/dev/secrets'
      const headers = signedHeaders(emulator.apiKey, {method: 'GET', path})
      signature = headers['X-Bella-Signature']!
      expect((await send(emulator, {path, headers})).status).toBe(200)
      await send(emulator, {method: 'POST', path: '/__emulator/projects/demo/environments/dev/secrets', body: '{"set":{"NEW":"s3cr3t-value"}}'})
    })
    expect(stderr).toMatch(/bella emulator listening on http:\/\/127\.0\.0\.1:\d+ \(seed: built-in demo\)/)
    expect(stderr).toMatch(/^\d\d:\d\d:\d\d GET \/api\/v1\/projects\/demo\/environments\/dev\/secrets 200 \d+ms \(e2ee\)$/m)
    expect(stderr).toMatch(/^\d\d:\d\d:\d\d POST \/__emulator\/projects\/demo\/environments\/dev\/secrets 200 \d+ms$/m)
    expect(stderr).toMatch(/bella emulator stopped\n$/)
    expect(stderr).not.toContain('shh')
    expect(stderr).not.toContain('s3cr3t-value')
    expect(stderr).not.toContain('demo-password')
    expect(stderr).not.toContain(apiKey.split('-')[2]!)
    expect(stderr).not.toContain(apiKey)
    expect(signature).toMatch(/^[0-9a-f]{64}$/)
    expect(stderr).not.toContain(signature)
  })

  it('stops cleanly when aborted: the port is free again', async () => {
    let port = 0
    await withServe(async (emulator) => {
      port = emulator.port
    })
    await new Promise<void>((resolve, reject) => {
      const probe = createServer()
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
    })
  })

  it('fails clearly when the port is in use', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      const run = serveInForeground({port, stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal})
      await expect(run).rejects.toMatchObject({code: 'port_in_use', exitCode: 1, message: `port ${port} on 127.0.0.1 is already in use`})
    } finally {
      blocker.close()
    }
  })

  it('refuses a bad seed file before listening (exit code 2)', async () => {
    const stdout = capture()
    const run = serveInForeground({port: 0, seedFile: '/nonexistent/seed.yaml', stdout: stdout.stream, stderr: new PassThrough(), signal: new AbortController().signal})
    await expect(run).rejects.toMatchObject({code: 'invalid_seed', exitCode: 2})
    expect(stdout.text()).toBe('')
  })
})
