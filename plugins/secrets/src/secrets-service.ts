/** `bella secrets list` and `bella secrets get`: reads, over E2EE, that never print a value unasked. */
import {compareCodePoints, generalError, isBellaError, isSealedValue, quoteName, type SessionInput} from '@bella/core'
import {getSecret, listProviderSecrets, type SecretItem} from './api.js'
import {closeNames} from './names.js'
import {readProviders, where, withWorking, type Working} from './target.js'

export interface ListedSecret {
  name: string
  provider: string
  type: string | null
  updatedAt: string | null
  /** Only with `reveal`. */
  value?: string
}

export interface ListOptions {
  session: SessionInput
  provider?: string
  reveal: boolean
}

export function secretsList(options: ListOptions): Promise<{project: string; environment: string; secrets: ListedSecret[]}> {
  return withWorking(options.session, (w) => listRows(w, options))
}

async function listRows(w: Working, options: ListOptions): Promise<{project: string; environment: string; secrets: ListedSecret[]}> {
  const rows: ListedSecret[] = []
  for (const provider of await readProviders(w, options.provider)) {
    for (const item of await listProviderSecrets(w.session.api, w.project, w.environment, provider.slug)) {
      rows.push({name: item.key, provider: provider.slug, type: item.type, updatedAt: item.updatedAt, ...(options.reveal ? {value: item.value} : {})})
    }
  }
  rows.sort((a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.provider, b.provider))
  return {project: w.project, environment: w.environment, secrets: rows}
}

export interface GetOptions {
  session: SessionInput
  key: string
  provider?: string
  version?: number
}

export interface GotSecret {
  project: string
  environment: string
  provider: string
  secret: SecretItem
}

/**
 * One secret. Without --provider it is the one `bella run` would serve (the last provider holding
 * the name). An unknown name exits 1 and suggests close names.
 */
export function secretsGet(options: GetOptions): Promise<GotSecret> {
  return withWorking(options.session, (w) => getOne(w, options))
}

async function getOne(w: Working, options: GetOptions): Promise<GotSecret> {
  const providers = await readProviders(w, options.provider)
  const names: string[] = []
  let holder: string | undefined
  for (const provider of providers) {
    const items = await listProviderSecrets(w.session.api, w.project, w.environment, provider.slug)
    for (const item of items) names.push(item.key)
    if (items.some((item) => item.key === options.key)) holder = provider.slug
  }
  if (holder === undefined) throw notFound(w, options.key, names)
  let secret: SecretItem
  try {
    secret = await getSecret(w.session.api, w.project, w.environment, holder, options.key, options.version)
  } catch (error) {
    if (isBellaError(error) && error.code === 'api_not_found' && options.version !== undefined) {
      throw generalError(`Secret ${quoteName(options.key)} in ${where(w)} has no version ${options.version}`, {
        code: 'version_not_found',
        suggestions: ['leave out --version for the current value'],
      })
    }
    throw error
  }
  if (isSealedValue(secret.value)) {
    throw generalError(`The Bella API served secret ${quoteName(options.key)} still sealed at rest; it was not printed`, {
      code: 'sealed_value',
      suggestions: ['the server should decrypt values before serving them: report it to the server operator'],
    })
  }
  return {project: w.project, environment: w.environment, provider: holder, secret}
}

export function notFound(w: Working, key: string, names: Iterable<string>) {
  const close = closeNames(key, names)
  return generalError(`Secret ${quoteName(key, 200)} was not found in ${where(w)}`, {
    code: 'secret_not_found',
    suggestions: [
      ...(close.length > 0 ? [`did you mean: ${close.map((n) => quoteName(n, 100)).join(', ')}`] : []),
      `bella secrets list -p ${quoteName(w.project)} -e ${quoteName(w.environment)} shows the names there`,
    ],
  })
}
