/** Wire types of the endpoints bella uses (contract §1.8, §2; openapi.json components). */

export interface KeyContext {
  keyId: string
  role: string
  tenantId: string | null
  tenantSlug: string | null
  tenantName: string | null
  projectId: string | null
  projectSlug: string | null
  projectName: string | null
  environmentId: string | null
  environmentSlug: string | null
  environmentName: string | null
}

export interface AllEnvironmentSecrets {
  environmentSlug: string
  environmentName: string
  secrets: Record<string, string>
  version: number
  lastModified: string
}

export interface SecretsVersion {
  environmentSlug: string
  version: number
  lastModified: string
}

export interface SecretsHash {
  hash: string
  secretCount: number
  computedAt: string
}

export interface EnvironmentProvider {
  id: string
  providerId: string
  providerSlug: string
  providerName: string
  providerDescription: string | null
  providerType: string
  region: string | null
  assignedAt: string
}

export interface EnvironmentInfo {
  id: string
  slug: string
  name: string
  [key: string]: unknown
}

export interface ProblemDetails {
  type?: string | null
  title?: string | null
  status?: number | null
  detail?: string | null
  instance?: string | null
}

/** GenerateCredentialsResponse: ephemeral database credentials (contract §2.3(b)). */
export interface GeneratedCredentials {
  username: string
  password: string
  expiresAt: string
  leaseDurationSeconds: number
  leaseId: string
  connectionUrl: string | null
}
