import type {Registries, SignalDefinition} from '@bella/core'

const OWNER = '@bella/signal-sighup'

/**
 * Sends SIGHUP and leaves the process running. Its environment cannot change, so the program must
 * re-read its secrets from a file a sink keeps fresh (or from the API itself).
 */
export const sighupSignal: SignalDefinition = {
  name: 'sighup',
  description: 'send SIGHUP to the running process (it keeps its pid; new values reach it through sink files)',
  create: () => ({
    async notify(target) {
      // A process that has gone away is the caller's to report; there is nothing to signal.
      await target.kill('SIGHUP')
    },
  }),
}

export function registerSignals(registries: Pick<Registries, 'signals'>): void {
  registries.signals.register(sighupSignal, OWNER)
}
