// A seed value that is wrong, and where it is: shared by the seed's parts (projects, OIDC
// issuers, database providers), which seed.ts assembles.

export type SeedPath = ReadonlyArray<string | number>

/** A seed value that is wrong, with the path to it (`projects[0].environments[1].slug`). */
export class SeedError extends Error {
  readonly path: SeedPath
  /** Whether the last path element names a key that should not be there (point at the key, not its value). */
  readonly atKey: boolean

  constructor(path: SeedPath, message: string, options: {atKey?: boolean} = {}) {
    super(message)
    this.name = 'SeedError'
    this.path = path
    this.atKey = options.atKey ?? false
  }
}

export function describeSeedPath(path: SeedPath): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part
  return out || '(top level)'
}
