import {afterEach, describe, expect, it} from '@jest/globals'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {findBellaFile, lintBellaFile, parseBellaFile, resolveSettings} from '../../src/config/index.js'
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
    expect(findBellaFile(nested)).toEqual({path: join(root, 'repo', '.bella'), values: {project: 'shop', environment: 'dev'}, problems: []})
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

describe('lintBellaFile', () => {
  it('says nothing about a well-formed file, comments, blank lines or the official CLI\'s org', () => {
    expect(lintBellaFile('# mine\n\norg = "acme"\r\nproject = shop\nENV = dev\napp = web\n')).toEqual([])
  })

  it('names an unknown key by line, with a did-you-mean', () => {
    const problems = lintBellaFile('project = shop\nenviroment = dev\n')
    expect(problems).toEqual([{line: 2, message: expect.stringContaining('unknown key "enviroment" is ignored (did you mean "environment"?)')}])
  })

  it('says a URL is ignored on purpose, and what to use instead', () => {
    for (const key of ['url', 'api-url', 'baxter-url']) {
      const [problem] = lintBellaFile(`project = shop\n${key} = https://elsewhere.example\n`)
      expect(problem?.line).toBe(2)
      expect(problem?.message).toContain(`"${key}" is ignored on purpose`)
      expect(problem?.message).toContain('must not redirect where your credentials are sent')
      expect(problem?.message).toContain('BELLA_BAXTER_URL, --api-url or `bella config set api-url <url>`')
    }
  })

  it('flags YAML, JSON and bare words pasted in, with the key = value form when the key is known', () => {
    const problems = lintBellaFile('project: shop\n{\n  "environment": "dev",\njust words\n')
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4])
    expect(problems[0]!.message).toContain('(did you mean "project = shop"?)')
    expect(problems[1]!.message).toContain('not JSON')
    expect(problems[2]!.message).toContain('(did you mean "environment = dev"?)')
    expect(problems[3]!.message).toContain('this line is not `key = value` and is ignored')
  })
})
