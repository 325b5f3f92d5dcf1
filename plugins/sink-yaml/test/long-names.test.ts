/**
 * Secret names too long for a YAML implicit key (the YAML spec limits those to 1024 characters):
 * written as explicit keys (`? key`), so both `yaml` and PyYAML read the file back to exactly the
 * secrets; and the sink parses what it rendered before writing, so a file that would not read
 * back is never written (nor reported as written).
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import YAML from 'yaml'
import {renderYaml, yamlSink} from '../src/index.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

const secrets = {
  SHORT: 'short value',
  [`L${'O'.repeat(1100)}NG`]: 'value of a long name',
  [`"quoted": ${'é'.repeat(1030)}`]: 'quoted\nlong name',
  [`B${'x'.repeat(1018)}`]: 'near the limit once quoted', // 1019 characters, plain
  [`needs quotes ${'y'.repeat(1015)}`]: 'over the limit only once quoted',
}

const pyyaml = spawnSync('python3', ['-c', 'import yaml'], {stdio: 'ignore'}).status === 0
const pyIt = pyyaml ? it : it.skip

describe('yaml names over 1024 characters', () => {
  it('read back through the yaml package to exactly the secrets', () => {
    const text = renderYaml(secrets)
    expect(YAML.parse(text)).toEqual(secrets)
    expect(YAML.parse(text, {version: '1.1'})).toEqual(secrets)
  })

  pyIt('read back through PyYAML (safe_load) to exactly the secrets', () => {
    const text = renderYaml(secrets)
    const result = spawnSync('python3', ['-c', 'import sys, yaml, json; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)'], {input: text, encoding: 'utf8'})
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(secrets)
  })

  it('are written by the sink as a file that reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bella-yaml-long-'))
    made.push(dir)
    const sink = yamlSink.create({path: 'secrets.yaml'}, {baseDir: dir})
    expect(await sink.write(secrets)).toBe('written')
    expect(YAML.parse(readFileSync(join(dir, 'secrets.yaml'), 'utf8'))).toEqual(secrets)
    expect(existsSync(join(dir, 'secrets.yaml'))).toBe(true)
  })
})
