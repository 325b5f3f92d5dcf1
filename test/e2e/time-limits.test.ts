/**
 * Time limits people can see, through the real bin/run.js: --timeout / BELLA_TIMEOUT bound the wait
 * (a loopback server that accepts and never answers), bad values are usage errors, a "waiting for
 * <host>…" line at a terminal only, and two misleading failures named by their cause: https:// to a
 * plain-HTTP port, and a base URL that already ends in /api.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import {createServer, type Server, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'
import {rmSync} from 'node:fs'
import {startEmulator, type Emulator} from '../../plugins/emulator/src/index.js'
import {bella, isolatedHome} from '../helpers/cli.js'
import {itWithPty} from '../helpers/os-tools.js'
import {bellaOnTerminal} from '../helpers/terminal.js'

let emulator: Emulator
let silent: Server
let plainHttp: HttpServer
const sockets = new Set<Socket>()
const homes: string[] = []
const port = (server: Server | HttpServer) => (server.address() as AddressInfo).port

beforeAll(async () => {
  emulator = await startEmulator({port: 0})
  // Accepts and never answers: only a deadline ends the wait.
  silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  plainHttp = createHttpServer((_req, res) => res.end('plain'))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => plainHttp.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  plainHttp.closeAllConnections()
  await Promise.all([emulator.close(), new Promise((r) => silent.close(r)), new Promise((r) => plainHttp.close(r))])
  for (const home of homes) rmSync(home, {recursive: true, force: true})
})
beforeEach(() => emulator.clearFaults())

function env(url: string, extra: Record<string, string> = {}) {
  const home = isolatedHome()
  homes.push(home.HOME)
  return {...home, BELLA_BAXTER_URL: url, BELLA_BAXTER_API_KEY: emulator.apiKey, BELLA_BAXTER_PROJECT: 'demo', BELLA_BAXTER_ENV: 'dev', ...extra}
}
const silentUrl = () => `http://127.0.0.1:${port(silent)}`

describe('--timeout and BELLA_TIMEOUT', () => {
  it('bella run --timeout 2 (fast path) gives up on a server that never answers: exit 4 naming the host, the limit and --timeout; no waiting line when piped', async () => {
    const r = await bella(['run', '--timeout', '2', '--', 'true'], {env: env(silentUrl()), timeoutMs: 20_000})
    expect(r.signal).toBeNull()
    expect(r.code).toBe(4)
    expect(r.stderr).toContain(`127.0.0.1:${port(silent)}`)
    expect(r.stderr).toContain('within the 2 s deadline')
    expect(r.stderr).toContain('--timeout <seconds> or BELLA_TIMEOUT (now 2 s, from --timeout)')
    expect(r.stderr).not.toContain('waiting for')
    expect(r.stdout).toBe('')
  }, 30_000)

  it('BELLA_TIMEOUT bounds an oclif command (secrets list) the same way', async () => {
    const r = await bella(['secrets', 'list'], {env: env(silentUrl(), {BELLA_TIMEOUT: '1.5'}), timeoutMs: 20_000})
    expect(r.signal).toBeNull()
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('within the 1.5 s deadline')
    expect(r.stderr).toContain('(now 1.5 s, from BELLA_TIMEOUT)')
  }, 30_000)

  it.each([
    [['run', '--timeout', 'soon', '--', 'true'], {}, '--timeout must be a positive number of seconds'],
    [['secrets', 'list', '--timeout', '-3'], {}, '--timeout must be a positive number of seconds'],
    [['run', '--', 'true'], {BELLA_TIMEOUT: '0'}, 'BELLA_TIMEOUT must be a positive number of seconds'],
  ])('bella %j with %j is a usage error: %s', async (args, extra, message) => {
    const r = await bella(args, {env: env(emulator.url, extra)})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })

  it('a generous --timeout still works against a live server', async () => {
    const r = await bella(['run', '--timeout', '10', '--', 'true'], {env: env(emulator.url)})
    expect(r).toMatchObject({code: 0, stdout: ''})
  })
})

describe('misleading failures, named by their cause', () => {
  it('https:// to a plain-HTTP port says the server answered in plain HTTP, not OpenSSL text', async () => {
    const r = await bella(['run', '--', 'true'], {env: env(`https://127.0.0.1:${port(plainHttp)}`), timeoutMs: 20_000})
    expect(r.code).toBe(4)
    expect(r.stderr).toContain(`The server at 127.0.0.1:${port(plainHttp)} answered in plain HTTP`)
    expect(r.stderr).toContain(`use http://127.0.0.1:${port(plainHttp)} (loopback only, or with --insecure) or the server's TLS port`)
    expect(r.stderr).not.toMatch(/wrong version number|ssl3_get_record/)
  })

  it.each(['/api', '/api/v1'])('a URL ending in %s gets a hint about the doubled /api on the 404', async (suffix) => {
    const r = await bella(['run', '--', 'true'], {env: env(`${emulator.url}${suffix}`)})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`already ends in ${suffix} and bella adds /api/v1/… itself`)
    expect(r.stderr).toContain(`use ${emulator.url} in BELLA_BAXTER_URL`)
  })

  it('an unknown environment (404) names the commands that list what exists', async () => {
    const r = await bella(['run', '-p', 'demo', '-e', 'nope', '--', 'true'], {env: env(emulator.url)})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('bella projects list, bella environments list -p <project> and bella providers list show what exists')
  })
})

describe('the waiting line at a terminal', () => {
  const itPty = itWithPty('time-limits')

  itPty('shows "waiting for <host>…" while an answer is slow, erases it when the answer comes', async () => {
    emulator.injectFault({type: 'delay', delayMs: 3500, count: 1, pathPrefix: '/api/v1/projects'})
    const host = emulator.url.replace('http://', '')
    const t = bellaOnTerminal(['run', '--', 'node', '-e', 'console.log("child-ran")'], env(emulator.url))
    await t.waitFor(new RegExp(`waiting for ${host.replace(/\./g, '\\.')}…`), 15_000)
    expect(await t.exit).toBe(0)
    const screen = t.screen()
    expect(screen).toContain('child-ran')
    // Erased (carriage return + clear line) before anything else is written.
    expect(screen.slice(screen.indexOf('waiting for'))).toMatch(/^waiting for [^\n]*…\r\x1b\[2K/)
  }, 30_000)

  itPty('is erased before the deadline error, which names --timeout', async () => {
    const t = bellaOnTerminal(['run', '--timeout', '3', '--', 'true'], env(silentUrl()))
    await t.waitFor(/waiting for 127\.0\.0\.1:\d+…/, 15_000)
    expect(await t.exit).toBe(4)
    expect(t.screen()).toMatch(/waiting for [^\n]*…\r\x1b\[2KError: .*3 s deadline/)
  }, 30_000)
})
