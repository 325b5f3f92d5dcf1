import type {Registries, SignalDefinition} from '@bella/core'

const OWNER = '@bella/signal-sigterm'

/**
 * Sends SIGTERM, for a process whose own supervisor (systemd, Kubernetes, s6…) restarts it and so
 * picks up the new secrets on the way back up.
 */
export const sigtermSignal: SignalDefinition = {
  name: 'sigterm',
  description: 'send SIGTERM to the process, for programs whose supervisor restarts them with the new files',
  create: () => ({
    async notify(target) {
      await target.kill('SIGTERM')
    },
  }),
}

export function registerSignals(registries: Pick<Registries, 'signals'>): void {
  registries.signals.register(sigtermSignal, OWNER)
}
