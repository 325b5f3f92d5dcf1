/**
 * `bella run` without oclif, for the common well-formed case. Loading @oclif/core costs about as
 * much as starting node, which the SPEC's start-up budget for `bella run -- true` cannot absorb.
 * Anything this parser does not fully understand (help, --watch, an unknown or malformed flag, a
 * command without `--`) is left to oclif, which stays the authority on parsing and messages; a
 * test keeps FAST_RUN_OPTIONS in step with the oclif command's flags.
 */
import {homedir} from 'node:os'
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {childNeedsOwnProcessGroup, createOutput, exitCodeOf, fallbackOptionsFrom, renderError, sessionInputFrom} from '@bella/core/runtime'
import {maskStreamsFor} from './mask-option.js'
import {runWithSecrets} from './run-service.js'

export const FAST_RUN_OPTIONS = {
  project: {type: 'string', short: 'p'},
  environment: {type: 'string', short: 'e'},
  app: {type: 'string'},
  'api-url': {type: 'string'},
  insecure: {type: 'boolean'},
  timeout: {type: 'string'},
  'pass-credentials': {type: 'boolean'},
  'allow-reserved-env': {type: 'boolean'},
  'max-stale': {type: 'string'},
  'fallback-only': {type: 'boolean'},
  verbose: {type: 'boolean'},
  mask: {type: 'boolean'},
  // Node 20's parseArgs has no negated booleans: oclif's --no-mask spelled out.
  'no-mask': {type: 'boolean'},
  // Recognised so the two parsers stay in step, then left to oclif: --explain is not on the
  // start-up budget, and oclif renders --json and its errors.
  explain: {type: 'boolean'},
  json: {type: 'boolean'},
} as const satisfies ParseArgsConfig['options']

/** Runs `bella run …` and resolves to the exit code, or to undefined when oclif should handle argv. */
export async function tryFastRun(argv: readonly string[]): Promise<number | undefined> {
  const dashDash = argv.indexOf('--')
  if (dashDash === -1 || dashDash === argv.length - 1) return undefined
  let values: Record<string, string | boolean | undefined>
  try {
    const parsed = parseArgs({args: argv.slice(0, dashDash), options: FAST_RUN_OPTIONS, strict: true, allowPositionals: false})
    values = parsed.values
  } catch {
    return undefined
  }
  if (values.explain === true || values.json === true) return undefined
  // Both --mask and --no-mask: which one wins depends on their order, oclif's business.
  if (values.mask && values['no-mask']) return undefined
  const [command, ...args] = argv.slice(dashDash + 1) as [string, ...string[]]
  const out = createOutput({verbose: values.verbose === true})
  try {
    return await runWithSecrets({
      session: sessionInputFrom(
        {
          project: values.project as string | undefined,
          environment: values.environment as string | undefined,
          app: values.app as string | undefined,
          'api-url': values['api-url'] as string | undefined,
          insecure: values.insecure === true,
          timeout: values.timeout as string | undefined,
          verbose: values.verbose === true,
        },
        (m) => out.info(m),
        (m) => out.warn(m),
      ),
      command,
      args,
      passCredentials: values['pass-credentials'] === true,
      allowReserved: values['allow-reserved-env'] === true,
      ownProcessGroup: childNeedsOwnProcessGroup(),
      fallback: fallbackOptionsFrom(
        {'max-stale': values['max-stale'] as string | undefined, 'fallback-only': values['fallback-only'] === true},
        process.env,
        homedir(),
      ),
      mask: maskStreamsFor(values.mask === true ? true : values['no-mask'] === true ? false : undefined, (m) => out.warn(m)),
      info: (m) => out.debug(m),
      warn: (m) => out.warn(m),
    })
  } catch (error) {
    process.stderr.write(renderError(error))
    return exitCodeOf(error)
  }
}
