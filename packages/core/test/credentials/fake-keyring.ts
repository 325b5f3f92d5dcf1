import type {KeyringEntry, KeyringModule} from '../../src/credentials/index.js'

export interface FakeKeyringBehaviour {
  /** Like a D-Bus session with no secret service: reads resolve null, writes throw. */
  refuseWrites?: boolean
  /** Every call throws, like a keyring that got locked after it was recorded. */
  refuseAll?: boolean
  /** Writes never settle. */
  hangWrites?: boolean
}

/** An in-memory stand-in for `@napi-rs/keyring`, recording what was called. */
export function fakeKeyring(behaviour: FakeKeyringBehaviour = {}) {
  const data = new Map<string, string>()
  const calls: string[] = []
  const denied = () => new Error("Couldn't access platform storage: AccessDenied")

  class AsyncEntry implements KeyringEntry {
    private readonly key: string
    constructor(service: string, private readonly name: string) {
      this.key = `${service}/${name}`
    }

    async setPassword(password: string): Promise<void> {
      calls.push(`set ${this.name}`)
      if (behaviour.refuseAll || behaviour.refuseWrites) throw denied()
      if (behaviour.hangWrites) return new Promise<void>(() => {})
      data.set(this.key, password)
    }

    async getPassword(): Promise<string | null> {
      calls.push(`get ${this.name}`)
      if (behaviour.refuseAll) throw denied()
      return data.get(this.key) ?? null
    }

    async deleteCredential(): Promise<boolean> {
      calls.push(`delete ${this.name}`)
      if (behaviour.refuseAll) throw denied()
      return data.delete(this.key)
    }
  }

  let loads = 0
  const module: KeyringModule = {AsyncEntry}
  return {
    data,
    calls,
    get loads() {
      return loads
    },
    load: async (): Promise<KeyringModule> => {
      loads++
      return module
    },
  }
}
