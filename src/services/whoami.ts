import {keyPrefix, openSession, parseApiKey, resolveTarget, type Resolved, type SessionInput} from '@bella/core'

export interface WhoamiResult {
  apiUrl: Resolved<string>
  credentials: {kind: 'api-key' | 'bearer'; keyPrefix?: string; source: string; origin: string}
  role?: string
  tenant?: string | null
  project: Resolved<string>
  environment: Resolved<string>
  app?: Resolved<string>
  bellaFile?: string
}

/** What bella would use, and where each part came from; asks keys/me so the key is proven live. */
export async function whoami(input: SessionInput): Promise<WhoamiResult> {
  const session = await openSession(input)
  const target = await resolveTarget(session)
  const {credentials, settings} = session
  const context = target.keyContext
  return {
    apiUrl: settings.apiUrl,
    credentials: {
      kind: credentials.kind,
      keyPrefix: credentials.kind === 'api-key' ? keyPrefix(parseApiKey(credentials.raw).keyId) : undefined,
      source: credentials.source,
      origin: credentials.origin,
    },
    role: context?.role,
    tenant: context?.tenantSlug,
    project: target.project,
    environment: target.environment,
    app: settings.app,
    bellaFile: settings.bellaFile,
  }
}
