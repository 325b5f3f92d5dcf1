import {describe, expect, it} from '@jest/globals'
import {join} from 'node:path'
import {loadSeedFile, parseSeedYaml, resolveSeed, type EmulatorSeed, type SeedProvider} from '../src/index.js'
import {pluginRoot} from './helpers/contract.js'

function seedWith(provider: SeedProvider): EmulatorSeed {
  return {projects: [{slug: 'shop', environments: [{slug: 'dev', providers: [provider]}]}]}
}

const dynamicOf = (provider: SeedProvider) => resolveSeed(seedWith(provider)).projects[0]!.environments[0]!.providers[0]!.dynamic

describe('database providers in the seed', () => {
  it('reads roles with their grants, owner and TTLs, inheriting the provider defaults', () => {
    const dynamic = dynamicOf({
      slug: 'pg',
      type: 'postgres',
      defaultTtl: 600,
      maxTtl: 3600,
      roles: {
        readonly: {default: true, grants: ['SELECT ON ALL TABLES IN SCHEMA public']},
        migrate: {grants: ['USAGE, CREATE ON SCHEMA public'], owner: 'app_owner', maxTtl: 300},
      },
    })
    expect(dynamic).toEqual({
      engine: 'postgres',
      database: null,
      defaultRole: 'readonly',
      roles: [
        {name: 'readonly', grants: ['SELECT ON ALL TABLES IN SCHEMA public'], owner: null, defaultTtl: 600, maxTtl: 3600},
        {name: 'migrate', grants: ['USAGE, CREATE ON SCHEMA public'], owner: 'app_owner', defaultTtl: 300, maxTtl: 300},
      ],
    })
  })

  it('defaults: 1 hour leases up to 1 day; a single role is the default role', () => {
    expect(dynamicOf({slug: 'pg', type: 'PostgreSQL', database: 'app', roles: {ro: {grants: []}}})).toEqual({
      engine: 'postgres',
      database: 'app',
      defaultRole: 'ro',
      roles: [{name: 'ro', grants: [], owner: null, defaultTtl: 3600, maxTtl: 86400}],
    })
    expect(dynamicOf({slug: 'pg', type: 'postgres', roles: {a: {}, b: {}}})!.defaultRole).toBeNull()
    expect(dynamicOf({slug: 'pg', type: 'postgres'})!.roles).toEqual([])
    expect(dynamicOf({slug: 'v', type: 'vault'})).toBeNull()
  })

  it.each<[string, SeedProvider, string]>([
    ['roles on a provider that is not a database', {slug: 'v', type: 'vault', roles: {a: {}}}, '"roles" is only for database providers'],
    ['a role name that is not a plain name', {slug: 'pg', type: 'postgres', roles: {'a"; drop': {}}}, 'role name "a"; drop" must be'],
    ['a grant with a second statement', {slug: 'pg', type: 'postgres', roles: {a: {grants: ['SELECT ON t; DROP TABLE t']}}}, 'must be one GRANT clause'],
    ['a grant with a comment', {slug: 'pg', type: 'postgres', roles: {a: {grants: ['SELECT ON t -- x']}}}, 'without ";" or comments'],
    ['an unknown role key', {slug: 'pg', type: 'postgres', roles: {a: {grant: []} as never}}, 'unknown key "grant"'],
    ['two default roles', {slug: 'pg', type: 'postgres', roles: {a: {default: true}, b: {default: true}}}, 'only one role can be the default'],
    ['a zero TTL', {slug: 'pg', type: 'postgres', maxTtl: 0, roles: {a: {}}}, 'must be a whole number of seconds'],
    ['a default TTL above the maximum', {slug: 'pg', type: 'postgres', roles: {a: {defaultTtl: 100, maxTtl: 50}}}, 'defaultTtl (100) is more than maxTtl (50)'],
    ['an owner that is too long for PostgreSQL', {slug: 'pg', type: 'postgres', roles: {a: {owner: 'o'.repeat(64)}}}, 'at most 63 bytes'],
  ])('refuses %s', (_what, provider, message) => {
    expect(() => resolveSeed(seedWith(provider))).toThrow(message)
  })

  it('points at the offending line in a YAML seed', async () => {
    const yaml = `projects:
  - slug: shop
    environments:
      - slug: dev
        providers:
          - slug: pg
            type: postgres
            roles:
              readonly:
                grants:
                  - SELECT ON t; DROP TABLE t
`
    await expect(parseSeedYaml(yaml, 'seed.yaml')).rejects.toThrow(/^seed\.yaml:11:21: .*must be one GRANT clause/)
  })

  it('the documented example seed has a PostgreSQL provider', async () => {
    const seed = resolveSeed(await loadSeedFile(join(pluginRoot, 'seed.example.yaml')))
    const pg = seed.projects[0]!.environments[0]!.providers.find((p) => p.dynamic)
    expect(pg?.slug).toBe('pg')
    expect(pg?.dynamic?.defaultRole).toBe('readonly')
    expect(pg?.dynamic?.roles.map((r) => r.name)).toEqual(['readonly', 'migrate'])
  })
})
