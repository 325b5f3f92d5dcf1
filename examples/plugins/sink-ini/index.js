// A sink written the way a third party would: plain ESM with no build step and no runtime
// dependencies. It knows only the strategy contract (the types in bella-plugin-sdk, a dev
// dependency for JSDoc types and the contract checks), not bella itself.
//
// Format: an INI `[secrets]` section of `NAME = "value"` lines, sorted, the value a JSON string (so
// newlines, quotes and `=` survive); names that INI cannot hold are refused by name. Written
// atomically (temp file in the same folder, mode 0600 unless `mode` says otherwise, fsync, rename),
// and left alone when the bytes would not change.
import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'

const INI_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/** @param {Readonly<Record<string, string>>} secrets */
export function renderIni(secrets) {
  const names = Object.keys(secrets).sort()
  for (const name of names) {
    if (!INI_NAME.test(name)) throw new Error(`secret ${JSON.stringify(name)} cannot be an INI key; rename it or use a json sink`)
  }
  return `[secrets]\n${names.map((name) => `${name} = ${JSON.stringify(secrets[name])}\n`).join('')}`
}

/** @param {string} content */
export function parseIni(content) {
  const out = Object.create(null)
  for (const line of content.split('\n')) {
    const at = line.indexOf(' = ')
    if (at > 0) out[line.slice(0, at)] = JSON.parse(line.slice(at + 3))
  }
  return {...out}
}

/** `mode` as bella's own file sinks take it: an octal string ("0640") or a number; 0600 when absent. */
function parseMode(mode) {
  if (mode === undefined) return 0o600
  const bits = typeof mode === 'string' && /^0?[0-7]{3}$/.test(mode) ? Number.parseInt(mode, 8) : mode
  if (!Number.isInteger(bits) || bits < 0 || bits > 0o777) throw new Error('option "mode" must be permission bits such as "0600"')
  return bits
}

/** @param {string} path @param {string} text @param {number} mode @returns {Promise<'written' | 'unchanged'>} */
async function replaceFile(path, text, mode) {
  const bytes = Buffer.from(text, 'utf8')
  const current = await readFile(path).catch(() => undefined)
  if (current?.equals(bytes)) return 'unchanged'
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  const temp = join(dirname(path), `${basename(path)}.ini-${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.chmod(mode) // exact bits, whatever the umask
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path).catch(async (error) => {
    await rm(temp, {force: true})
    throw error
  })
  return 'written'
}

/** @type {import('bella-plugin-sdk').SinkDefinition} */
export const iniSink = {
  name: 'ini',
  description: 'an INI [secrets] section of NAME = "json string" lines (third-party example)',
  create(options, context) {
    const unknown = Object.keys(options).filter((key) => key !== 'path' && key !== 'mode')
    if (unknown.length > 0) throw new Error(`unknown option "${unknown[0]}" (the ini sink takes only: path, mode)`)
    if (typeof options.path !== 'string' || options.path === '') throw new Error('option "path" is required: the file to write')
    const target = resolve(context.baseDir, options.path)
    const mode = parseMode(options.mode)
    return {target, write: async (secrets) => replaceFile(target, renderIni(secrets), mode)}
  },
  parse: parseIni,
}

/** @param {Pick<import('bella-plugin-sdk').Registries, 'sinks'>} registries */
export function registerSinks(registries) {
  registries.sinks.register(iniSink, 'bella-sink-ini')
}
