/**
 * Temp files of atomic writes: their names are caught by a `.gitignore` for the target's name or
 * `*.tmp`, and the ones a killed bella left behind are removed, only for the target asked about,
 * only when the process that made them is gone (or is this very process, not mid-write).
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {readdirSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {removeStaleTempFiles, tempPathFor, writeFileAtomic} from '../../src/fs/index.js'
import {tempDirs} from '../config/temp-dir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

/** The pid of a process that has exited (a real one, so the number is not in use by us). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
  return Number(result.stdout)
}

const hasGit = spawnSync('git', ['--version']).status === 0
const gitIt = hasGit ? it : it.skip

describe('atomic write temp files', () => {
  it('are named <target>.bella-<pid>-<hex>.tmp, next to the target', () => {
    const temp = tempPathFor('/srv/app/.env')
    expect(temp.startsWith('/srv/app/')).toBe(true)
    expect(basename(temp)).toMatch(new RegExp(`^\\.env\\.bella-${process.pid}-[0-9a-f]{12}\\.tmp$`))
  })

  gitIt('are ignored by git when .gitignore lists ".env*" or "*.tmp"', () => {
    for (const pattern of ['.env*', '*.tmp']) {
      const repo = dirs.make()
      expect(spawnSync('git', ['init', '-q', repo]).status).toBe(0)
      writeFileSync(join(repo, '.gitignore'), `${pattern}\n`)
      const temp = tempPathFor(join(repo, '.env'))
      writeFileSync(temp, 'A=1\n')
      // check-ignore exits 0 when the path is ignored.
      const result = spawnSync('git', ['-C', repo, 'check-ignore', '-q', basename(temp)])
      expect([pattern, result.status]).toEqual([pattern, 0])
    }
  })

  it('left by a process that is gone are removed for that target only', async () => {
    const dir = dirs.make()
    const dead = deadPid()
    const alive = process.ppid
    const files = {
      stale: `.env.bella-${dead}-0123456789ab.tmp`,
      staleOld: `..env.${dead}.0123456789ab.tmp`, // the naming of earlier versions
      ownStale: `.env.bella-${process.pid}-aaaaaaaaaaaa.tmp`, // our pid, not mid-write: a previous life (container pid reuse)
      otherTarget: `secrets.json.bella-${dead}-0123456789ab.tmp`,
      liveWriter: `.env.bella-${alive}-0123456789ab.tmp`,
      lookalike: '.env.bella-notes.tmp',
      target: '.env',
      unrelated: '.env.local',
    }
    for (const name of Object.values(files)) writeFileSync(join(dir, name), 'SECRET=x\n')
    const removed = await removeStaleTempFiles(join(dir, '.env'))
    expect(removed.sort()).toEqual([files.stale, files.staleOld, files.ownStale].sort())
    expect(readdirSync(dir).sort()).toEqual([files.otherTarget, files.liveWriter, files.lookalike, files.target, files.unrelated].sort())
  })

  it('left behind are removed by the next write to that target', async () => {
    const dir = dirs.make()
    const stale = `.env.bella-${deadPid()}-0123456789ab.tmp`
    writeFileSync(join(dir, stale), 'SECRET=x\n')
    expect(await writeFileAtomic(join(dir, '.env'), 'A=1\n')).toBe('written')
    expect(readdirSync(dir)).toEqual(['.env'])
    // Also when the content did not change.
    writeFileSync(join(dir, stale), 'SECRET=x\n')
    expect(await writeFileAtomic(join(dir, '.env'), 'A=1\n')).toBe('unchanged')
    expect(readdirSync(dir)).toEqual(['.env'])
  })

  it('is a no-op for a folder that does not exist', async () => {
    expect(await removeStaleTempFiles(join(dirs.make(), 'missing', '.env'))).toEqual([])
  })
})
