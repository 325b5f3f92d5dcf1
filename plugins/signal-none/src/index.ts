import type {Registries, SignalDefinition} from '@bella/core'

const OWNER = '@bella/signal-none'

/** Tells no one: for programs that watch their secret files themselves. */
export const noneSignal: SignalDefinition = {
  name: 'none',
  description: 'signal nothing; the program watches its secret files itself',
  inert: true,
  create: () => ({
    async notify() {},
  }),
}

export function registerSignals(registries: Pick<Registries, 'signals'>): void {
  registries.signals.register(noneSignal, OWNER)
}
