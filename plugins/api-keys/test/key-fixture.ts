import type {ApiKeyResponse} from '../src/types.js'

/** An API key as the server lists it (active, never used); `overrides` change what a test is about. */
export function keyResponse(overrides: Partial<ApiKeyResponse> = {}): ApiKeyResponse {
  return {
    id: '1f3c9a2b-7d4e-4f10-9c3a-2b6d8e0f1a2c',
    environmentId: 'e',
    projectId: 'p',
    role: 'CONSUMER',
    clientName: 'ci-deploy',
    keyPrefix: 'bax-1f3c9a2b',
    expiresAt: '2026-07-30T12:00:00Z',
    lastUsedAt: null,
    usageCount: 0,
    isActive: true,
    isExpired: false,
    isValid: true,
    description: null,
    createdAt: '2026-05-01T11:00:00Z',
    revokedAt: null,
    ...overrides,
  }
}
