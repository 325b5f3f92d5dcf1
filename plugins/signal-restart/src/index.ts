import {usageError, type Registries, type SignalDefinition} from '@bella/core'

const OWNER = '@bella/signal-restart'

/** Stops the child gracefully and starts it again, so it sees the new environment. */
export const restartSignal: SignalDefinition = {
  name: 'restart',
  description: 'stop the child (SIGTERM, then SIGKILL after the kill timeout) and start it again with the new secrets',
  requiresOwnedProcess: true,
  create: () => ({
    async notify(target) {
      // Only a process bella started can be restarted with a new environment.
      if (!target.restart) {
        throw usageError(`signal "restart" cannot restart ${target.description}: bella did not start it`, {
          code: 'signal_needs_owned_process',
          suggestions: ['use signal "sighup" or "sigterm" for a process found through a pid-file'],
        })
      }
      await target.restart()
    },
  }),
}

export function registerSignals(registries: Pick<Registries, 'signals'>): void {
  registries.signals.register(restartSignal, OWNER)
}
