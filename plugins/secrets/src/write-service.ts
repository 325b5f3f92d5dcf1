/**
 * `bella secrets set`, `delete` and `import`: every write names secrets and versions, never values.
 * A write the key's role may not make comes back 403 from the API: exit 3, with the server's words
 * and the roles that may write.
 */
import {authError, generalError, isBellaError, quoteName, quoteText, usageError, type SessionInput} from '@bella/core'
import {currentVersion, deleteSecret, listProviderSecrets, writeSecret, type SecretItem} from './api.js'
import {notFound} from './secrets-service.js'
import {openWorking, readProviders, where, writeProvider, type Working} from './target.js'

export type WriteAction = 'created' | 'updated' | 'unchanged'

export interface WriteResult {
  name: string
  provider: string
  action: WriteAction
  /** The secret's version after the write (null when the server does not say). */
  version: number | null
}

export interface SetOptions {
  session: SessionInput
  /** Name → value; a Map, so any name (`__proto__` too) is data. */
  values: ReadonlyMap<string, string>
  provider?: string
  dryRun?: boolean
}

export interface SetOutcome {
  project: string
  environment: string
  provider: string
  results: WriteResult[]
}

/** Creates or updates each secret in one provider; identical values are left alone. */
export async function secretsSet(options: SetOptions): Promise<SetOutcome> {
  const w = await openWorking(options.session)
  const provider = (await writeProvider(w, options.provider)).slug
  const existing = new Map<string, SecretItem>()
  for (const item of await listProviderSecrets(w.session.api, w.project, w.environment, provider)) existing.set(item.key, item)
  const results: WriteResult[] = []
  for (const [name, value] of options.values) {
    const before = existing.get(name)
    const action: WriteAction = !before ? 'created' : before.value === value ? 'unchanged' : 'updated'
    if (action !== 'unchanged' && !options.dryRun) {
      await permission(w, () => writeSecret(w.session.api, w.project, w.environment, provider, {key: name, value, description: before?.description ?? null}, before !== undefined))
    }
    const version = options.dryRun ? (before?.version ?? null) : await currentVersion(w.session.api, w.project, w.environment, provider, name)
    results.push({name, provider, action, version})
  }
  return {project: w.project, environment: w.environment, provider, results}
}

export interface DeletePlan {
  project: string
  environment: string
  /** Each name with the providers holding it. */
  targets: {name: string; providers: string[]}[]
}

export interface DeleteOptions {
  session: SessionInput
  names: readonly string[]
  provider?: string
  /** Asked once, after every name was found and before anything is deleted. */
  confirm: (plan: DeletePlan) => Promise<boolean>
}

/**
 * Deletes each name from the named provider, or from every provider holding it (else `bella run`
 * would go on serving another provider's copy). Every name must exist before anything is deleted.
 */
export async function secretsDelete(options: DeleteOptions): Promise<DeletePlan> {
  const w = await openWorking(options.session)
  const holders = new Map<string, string[]>()
  const all: string[] = []
  for (const provider of await readProviders(w, options.provider)) {
    for (const item of await listProviderSecrets(w.session.api, w.project, w.environment, provider.slug)) {
      all.push(item.key)
      holders.set(item.key, [...(holders.get(item.key) ?? []), provider.slug])
    }
  }
  const missing = options.names.find((name) => !holders.has(name))
  if (missing !== undefined) throw notFound(w, missing, all)
  const plan: DeletePlan = {project: w.project, environment: w.environment, targets: [...new Set(options.names)].map((name) => ({name, providers: holders.get(name)!}))}
  if (!(await options.confirm(plan))) {
    throw generalError('Nothing was deleted: not confirmed', {code: 'not_confirmed', suggestions: ['pass --yes to delete without asking']})
  }
  for (const target of plan.targets) {
    for (const provider of target.providers) await permission(w, () => deleteSecret(w.session.api, w.project, w.environment, provider, target.name))
  }
  return plan
}

/** A 403 on a write: exit 3, saying which roles may write. */
async function permission<T>(w: Working, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isBellaError(error) && error.code === 'api_forbidden') {
      throw authError(`${error.message}`, {
        code: 'api_forbidden',
        suggestions: [`changing secrets in ${where(w)} needs a key with role MANAGER, ADMIN or OWNER; a CONSUMER key may only read`],
        cause: error,
      })
    }
    throw error
  }
}

/** dotenv's own line syntax for a `__proto__` key (its parser fills a plain object, so drops it). */
const PROTO_LINE = /^\s*(?:export\s+)?__proto__(?:\s*=|:\s)/m

/**
 * `.env` text → name/value map (the dotenv package, loaded only here). A `__proto__` line is
 * refused rather than lost: dotenv would drop it without a word, and the import would look complete.
 */
export async function parseDotenvText(text: string, file: string): Promise<Map<string, string>> {
  if (PROTO_LINE.test(text)) {
    throw usageError(`${quoteText(file, 200)} sets __proto__, a name a .env file cannot carry (dotenv parsers drop it); nothing was imported`, {
      code: 'import_proto_name',
      suggestions: ['set that secret on its own: bella secrets set __proto__=- < value-file', 'then remove its line from the file and import the rest'],
    })
  }
  const dotenv = (await import('dotenv')).default
  return new Map(Object.entries(dotenv.parse(text)))
}

export const describeNames = (names: readonly string[]) => names.map((n) => quoteName(n, 100)).join(', ')
