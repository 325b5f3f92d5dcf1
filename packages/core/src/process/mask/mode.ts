// Whether `bella run` masks its command's output: decided from the flag, CI and the terminals.
// Kept apart from the masker itself, which is loaded only when masking is on.

/** The output streams to mask. */
export interface MaskStreams {
  stdout: boolean
  stderr: boolean
}

export interface MaskDecision {
  /** Undefined: no masking (the child's output is inherited as usual). */
  streams?: MaskStreams
  /** Say this once on stderr: a stream left unmasked because it is a terminal. */
  warning?: string
}

/** CI=true (as GitHub Actions, GitLab, CircleCI and most runners set it), or 1. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  return /^(true|1)$/i.test(env.CI ?? '')
}

/**
 * `--mask` (true) masks both streams, terminals included: the user asked. `--no-mask` (false)
 * masks nothing. Neither: on under CI for the streams that are not terminals, since masking turns
 * a stream into a pipe, and a program that loses its terminal loses colours, prompts and job control.
 */
export function decideMasking(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  terminals: {stdout: boolean; stderr: boolean},
): MaskDecision {
  if (flag === true) return {streams: {stdout: true, stderr: true}}
  if (flag === false || !isCi(env)) return {}
  const streams = {stdout: !terminals.stdout, stderr: !terminals.stderr}
  const left = [terminals.stdout && 'stdout', terminals.stderr && 'stderr'].filter(Boolean)
  const warning =
    left.length === 0
      ? undefined
      : `CI=true: secret values are masked in the command's output, but ${left.join(' and ')} ${left.length === 1 ? 'is a terminal and is' : 'are terminals and are'} left unmasked so the command keeps its terminal; pass --mask to mask ${left.length === 1 ? 'it' : 'them'} anyway, --no-mask to turn masking off.`
  return {streams: streams.stdout || streams.stderr ? streams : undefined, warning}
}
