import {decideMasking, type MaskStreams} from '@bella/core/runtime'

/**
 * The streams `bella run` masks, from --mask/--no-mask (undefined: neither), CI and bella's own
 * terminals; warns once when CI's default leaves a terminal unmasked. Shared by the oclif command
 * and the fast path.
 */
export function maskStreamsFor(flag: boolean | undefined, warn: (message: string) => void): MaskStreams | undefined {
  const decision = decideMasking(flag, process.env, {stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true})
  if (decision.warning) warn(decision.warning)
  return decision.streams
}
