// npm as the packaging tests run it: this machine's own npm settings (registry, CA), the cache
// first, bounded retries and time, writing only where `cwd` and the arguments say.
import {execFileSync} from 'node:child_process'

export function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--fetch-retries=1', '--fetch-timeout=60000'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  })
}
