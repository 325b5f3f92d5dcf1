/** Wire types of the API-key endpoints (openapi.json components; contract §2.5). */

export interface CreateApiKeyRequest {
  clientName: string
  description: string | null
  expiresInDays: number | null
  role?: string | null
}

/** The only response that carries the full key (`apiKey`), once. */
export interface CreatedApiKeyResponse {
  success: boolean
  message: string
  apiKey: string
  keyPrefix: string
  id: string
  expiresAt: string
}

export interface ApiKeyResponse {
  id: string
  environmentId: string | null
  projectId: string | null
  role: string
  clientName: string
  keyPrefix: string
  expiresAt: string | null
  lastUsedAt: string | null
  usageCount: number
  isActive: boolean
  isExpired: boolean
  isValid: boolean
  description: string | null
  createdAt: string
  revokedAt: string | null
  allowedScopes?: string[] | null
}
