/**
 * The wire shapes of openapi.json (camelCase, every required field present, nulls where the
 * emulator has nothing to say). Kept apart from the handlers so the contract test and the code
 * that must satisfy it are easy to compare.
 */
import {derivedUuid} from '../seed/seed.js'
import type {EmulatorState, EnvironmentState, Principal, ProjectState, ProviderState, SecretRecord} from '../state.js'

/** KeyContextResponse */
export function keyContextView(state: EmulatorState, principal: Principal) {
  const project = state.projects.find((p) => p.id === principal.projectId)
  const env = project?.environments.find((e) => e.id === principal.environmentId)
  return {
    keyId: principal.id,
    role: principal.role,
    tenantId: state.tenant.id,
    tenantSlug: state.tenant.slug,
    tenantName: state.tenant.name,
    projectId: project?.id ?? null,
    projectSlug: project?.slug ?? null,
    projectName: project?.name ?? null,
    environmentId: env?.id ?? null,
    environmentSlug: env?.slug ?? null,
    environmentName: env?.name ?? null,
  }
}

/** GetProjectResponse */
export function projectView(state: EmulatorState, project: ProjectState) {
  return {
    id: project.id,
    name: project.name,
    slug: project.slug,
    description: project.description,
    ownerId: derivedUuid(`owner:${state.tenant.slug}`),
    ownerName: 'emulator',
    status: 'Active',
    members: {},
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
    deletedAt: null,
  }
}

/** EnvironmentResponse */
export function environmentView(state: EmulatorState, project: ProjectState, env: EnvironmentState) {
  return {
    id: env.id,
    slug: env.slug,
    name: env.name,
    description: env.description,
    projectId: project.id,
    projectName: project.name,
    creatorId: null,
    creatorUsername: null,
    memberCount: 0,
    providerCount: env.providers.length,
    secretCount: Object.keys(state.mergedSecrets(env)).length,
    createdAt: env.createdAt.toISOString(),
    updatedAt: env.updatedAt.toISOString(),
    status: 'Active',
  }
}

/** EnvironmentProviderResponse */
export function providerView(provider: ProviderState) {
  return {
    id: provider.assignmentId,
    providerId: provider.id,
    providerSlug: provider.slug,
    providerName: provider.name,
    providerDescription: provider.description,
    providerType: provider.type,
    region: provider.region,
    assignedAt: provider.assignedAt.toISOString(),
  }
}

/** AllEnvironmentSecretsResponse */
export function allSecretsView(state: EmulatorState, env: EnvironmentState) {
  return {
    environmentSlug: env.slug,
    environmentName: env.name,
    secrets: state.mergedSecrets(env),
    version: env.version,
    lastModified: env.lastModified.toISOString(),
  }
}

/** EnvironmentSecretsVersionResponse */
export function secretsVersionView(env: EnvironmentState) {
  return {environmentSlug: env.slug, version: env.version, lastModified: env.lastModified.toISOString()}
}

/** The listSecrets plaintext: an array of items, in the field order of the contract's vector. */
export function secretItemsView(provider: ProviderState) {
  return [...provider.secrets.values()].map(secretItemFields)
}

/** One listSecrets item, fields in the contract vector's order. */
function secretItemFields(s: SecretRecord) {
  return {
    key: s.key,
    value: s.value,
    description: s.description,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    type: s.type,
  }
}

/** SecretsHashResponse */
export function secretsHashView(state: EmulatorState, provider: ProviderState) {
  const {hash, computedAt} = state.providerHash(provider)
  return {hash, secretCount: provider.secrets.size, computedAt: computedAt.toISOString()}
}

/** PageProjectResponse: one page holding every project given (the emulator never has many). */
export function projectListView(state: EmulatorState, projects: readonly ProjectState[]) {
  const content = projects.map((p) => ({
    id: p.id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    ownerId: derivedUuid(`owner:${state.tenant.slug}`),
    ownerName: 'emulator',
    status: 'Active',
    memberCount: 0,
    environmentCount: p.environments.length,
    secretCount: p.environments.reduce((n, e) => n + Object.keys(state.mergedSecrets(e)).length, 0),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    deletedAt: null,
  }))
  const sort = {sorted: false, empty: true, unsorted: true}
  const size = Math.max(content.length, 1)
  return {
    totalPages: 1,
    totalElements: content.length,
    pageable: {paged: true, pageNumber: 0, pageSize: size, offset: 0, unpaged: false, sort},
    size,
    content,
    number: 0,
    numberOfElements: content.length,
    sort,
    first: true,
    last: true,
    empty: content.length === 0,
  }
}

/** The getSecret plaintext: one listSecrets item, plus its current version. */
export function secretItemView(s: SecretRecord) {
  return {...secretItemFields(s), version: s.version}
}

/** SecretVersionsMetadata */
export function secretVersionsView(s: SecretRecord) {
  return {
    currentVersion: s.version,
    oldestVersion: s.history[0]?.version ?? s.version,
    maxVersions: 0,
    versions: s.history.map((v) => ({
      version: v.version,
      createdAt: v.createdAt.toISOString(),
      deletedAt: null,
      isDestroyed: false,
      isCurrent: v.version === s.version,
    })),
  }
}
