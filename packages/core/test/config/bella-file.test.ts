import {afterEach, describe, expect, it} from '@jest/globals'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {findBellaFile, parseBellaFile, resolveSettings} from '../../src/config/index.js'
import {tempDirs} from './temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('parseBellaFile', () => {
  it('reads the file the official CLI writes', () => {
    expect(parseBellaFile('org = "acme"\r\nproject = "shop"\r\nenvironment = "dev"\r\n')).toEqual({
      project: 'shop',
      environment: 'dev',
    })
  })

  it('skips comments and lines without =, and splits at the first =', () => {
    const text = ['# project = commented', '   # environment = also', 'just words', 'project=a=b', ''].join('\n')
    expect(parseBellaFile(text)).toEqual({project: 'a=b'})
  })

  it('does not strip inline comments', () => {
    expect(parseBellaFile('environment = dev # x')).toEqual({environment: 'dev # x'})
  })

  it('accepts env as an alias of environment, keys in any case and quoted', () => {
    expect(parseBellaFile('ENV=staging\n"Project" = web\nApp = billing')).toEqual({
      project: 'web',
      environment: 'staging',
      app: 'billing',
    })
  })

  it('strips double quotes, then single quotes, from both ends of the value', () => {
    expect(parseBellaFile(`project = "'web'"`)).toEqual({project: 'web'})
    expect(parseBellaFile(`project = '"web"'`)).toEqual({project: '"web"'})
    expect(parseBellaFile(`project = ""web""`)).toEqual({project: 'web'})
    expect(parseBellaFile(`project = " web "`)).toEqual({project: ' web '})
  })

  it('ignores unknown keys and empty values; the last occurrence wins', () => {
    expect(parseBellaFile('org = x\napiUrl = https://evil\nproject = a\nproject = b\nenvironment = ""')).toEqual({
      project: 'b',
    })
  })

  it('tolerates a byte-order mark', () => {
    expect(parseBellaFile('\uFEFFproject = web\n')).toEqual({project: 'web'})
  })
})

describe('findBellaFile', () => {
  it('walks up from a nested directory to the nearest .bella', () => {
    const root = dirs.make()
    const nested = join(root, 'repo', 'packages', 'api', 'src')
    mkdirSync(nested, {recursive: true})
    writeFileSync(join(root, 'repo', '.bella'), 'project = shop\nenvironment = dev\n')
    expect(findBellaFile(nested)).toEqual({path: join(root, 'repo', '.bella'), values: {project: 'shop', environment: 'dev'}})
  })

  it('uses only the nearest file, even when it defines fewer keys', () => {
    const root = dirs.make()
    const nested = join(root, 'repo', 'svc')
    mkdirSync(nested, {recursive: true})
    writeFileSync(join(root, 'repo', '.bella'), 'project = outer\nenvironment = prod\n')
    writeFileSync(join(nested, '.bella'), 'project = inner\n')
    const settings = resolveSettings({flags: {}, env: {}, cwd: nested, configDir: join(root, 'cfg')})
    expect(settings.project).toEqual({value: 'inner', source: 'bella-file', origin: join(nested, '.bella')})
    expect(settings.environment).toBeUndefined()
  })

  it('skips a directory named .bella', () => {
    const root = dirs.make()
    mkdirSync(join(root, 'a', '.bella'), {recursive: true})
    writeFileSync(join(root, '.bella'), 'project = top\n')
    expect(findBellaFile(join(root, 'a'))?.path).toBe(join(root, '.bella'))
  })

  it('returns undefined when there is none up to the root', () => {
    const root = dirs.make()
    expect(findBellaFile(root)).toBeUndefined()
  })
})
