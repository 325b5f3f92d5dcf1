/**
 * `bella run --watch` and new secrets the command cannot be started with: the running command
 * must survive them (test/helpers/watch-harness.ts drives the real bin/run.js and its emulator).
 */
import {describe, expect, it} from '@jest/globals'
import {alive, demo, isVersionPoll, scenario, TEST_TIMEOUT_MS} from '../helpers/watch-harness.js'

const onLinux = process.platform === 'linux' ? it : it.skip

describe('bella run --watch: a new secret the command cannot get', () => {
  onLinux(
    'a 140 KB value keeps the old child running (no signal), says why naming the secret and its size; a NUL value is withheld; later changes still restart',
    () =>
      scenario([], ['--env', 'MARK,BIG_CERT,NUL_VALUE'], async (w) => {
        const [first] = w.starts()
        const big = `big-value-${'x'.repeat(140 * 1024)}`
        w.change({BIG_CERT: big})
        await w.line(/BIG_CERT/)
        await w.line(/the command keeps running/)
        expect(w.stderr).toMatch(/BIG_CERT is 143,\d{3} bytes/)
        expect(w.stderr).toContain('131,072')
        expect(w.stderr).not.toContain('big-value-')

        const nul = 'nul-value-before\u0000after'
        w.change({NUL_VALUE: nul})
        await w.line(/NUL_VALUE/)
        await w.request(isVersionPoll) // one more poll: nothing to act on
        expect(w.stderr).not.toContain('nul-value-before')
        expect(w.events().filter((e) => e.e === 'signal')).toEqual([])
        expect(w.starts()).toHaveLength(1)
        expect(alive(first!.pid)).toBe(true)
        expect(w.proc.exitCode).toBeNull()

        // Still watching: once the value is fixed, the next change restarts the command as usual.
        w.emulator.setSecrets(demo, {unset: ['BIG_CERT', 'NUL_VALUE'], set: {MARK: 'after'}})
        const second = await w.event('the restarted child', (e) => e.e === 'start' && e.pid !== first!.pid)
        expect(second.env).toEqual({MARK: 'after', BIG_CERT: null, NUL_VALUE: null})
      }),
    TEST_TIMEOUT_MS,
  )
})
