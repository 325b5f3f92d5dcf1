/**
 * The wire shapes of openapi.json (camelCase, every required field present, nulls where the
 * emulator has nothing to say). Kept apart from the handlers so the contract test and the code
 * that must satisfy it are easy to compare.
 */
import {derivedUuid} from '../seed/seed.js'
import type {EmulatorState, EnvironmentState, Principal, ProjectState, ProviderState} from '../state.js'

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
  return [...provider.secrets.values()].map((s) => ({
    key: s.key,
    value: s.value,
    description: s.description,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    type: s.type,
  }))
}

/** SecretsHashResponse */
export function secretsHashView(state: EmulatorState, provider: ProviderState) {
  const {hash, computedAt} = state.providerHash(provider)
  return {hash, secretCount: provider.secrets.size, computedAt: computedAt.toISOString()}
}
