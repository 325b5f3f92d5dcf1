import type {EmulatorSeed} from '../../src/index.js'
import {KEYS} from './seeds.js'

/** shop/dev with a vault provider and database providers: one with two roles, one with no default, one with none. */
export function dynamicSeed(): EmulatorSeed {
  return {
    keys: [
      {key: KEYS.shopDev, project: 'shop', environment: 'dev'},
      {key: KEYS.shopProject, project: 'other'},
    ],
    projects: [
      {
        slug: 'shop',
        environments: [
          {
            slug: 'dev',
            providers: [
              {slug: 'vault', secrets: {A: '1'}},
              {
                slug: 'pg',
                type: 'postgres',
                maxTtl: 600,
                roles: {
                  readonly: {default: true, grants: ['USAGE ON SCHEMA public']},
                  migrate: {grants: ['USAGE, CREATE ON SCHEMA public'], maxTtl: 60},
                },
              },
              {slug: 'pg-many', type: 'postgres', roles: {a: {}, b: {}}},
              {slug: 'pg-empty', type: 'postgres'},
            ],
          },
        ],
      },
      {slug: 'other', environments: [{slug: 'dev'}]},
    ],
  }
}
