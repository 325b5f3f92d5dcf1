import {getKeyContext, keyPrefix, openSession, parseApiKey, resolveTarget, type KeyContext, type Resolved, type SessionInput} from '@bella/core'

export interface WhoamiResult {
  apiUrl: Resolved<string>
  credentials: {kind: 'api-key' | 'bearer'; keyPrefix?: string; source: string; origin: string}
  /** True when the API accepted the credentials just now; false with --offline (nothing was asked). */
  verified: boolean
  role?: string
  tenant?: string | null
  project?: Resolved<string>
  environment?: Resolved<string>
  app?: Resolved<string>
  bellaFile?: string
}

/**
 * What bella would use, and where each part came from. keys/me is always asked, so a wrong key or
 * a dead URL fails here; `offline` asks nothing and reports only the local configuration.
 */
export async function whoami(input: SessionInput, options: {offline: boolean}): Promise<WhoamiResult> {
  const session = await openSession(input)
  const {credentials, settings} = session
  let project = settings.project
  let environment = settings.environment
  let context: KeyContext | undefined
  if (!options.offline) {
    const target = await resolveTarget(session)
    context = target.keyContext ?? (await getKeyContext(session.api))
    project = target.project
    environment = target.environment
  }
  return {
    apiUrl: settings.apiUrl,
    credentials: {
      kind: credentials.kind,
      keyPrefix: credentials.kind === 'api-key' ? keyPrefix(parseApiKey(credentials.raw).keyId) : undefined,
      source: credentials.source,
      origin: credentials.origin,
    },
    verified: !options.offline,
    role: context?.role,
    tenant: context?.tenantSlug,
    project,
    environment,
    app: settings.app,
    bellaFile: settings.bellaFile,
  }
}
