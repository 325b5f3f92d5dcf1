import type {EmulatorSeed} from '../../src/index.js'

/** Pinned keys so tests can sign as a specific credential. */
export const KEYS = {
  shopDev: 'bax-5a0b1c2d3e4f50617283940a1b2c3d4e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  shopProject: 'bax-6a0b1c2d3e4f50617283940a1b2c3d4e-ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100',
  revoked: 'bax-7a0b1c2d3e4f50617283940a1b2c3d4e-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  expired: 'bax-8a0b1c2d3e4f50617283940a1b2c3d4e-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
} as const

export const SHOP_ID = '11111111-2222-4333-8444-555555555555'
export const SHOP_DEV_ID = '11111111-2222-4333-8444-666666666666'

/** Two projects, two environments, two providers in one environment (with a colliding key). */
export function multiProjectSeed(): EmulatorSeed {
  return {
    keys: [
      {key: KEYS.shopDev, name: 'shop dev', project: 'shop', environment: 'dev'},
      {key: KEYS.shopProject, name: 'shop admin', project: 'shop', role: 'ADMIN'},
      {key: KEYS.revoked, project: 'shop', environment: 'dev', revoked: true},
      {key: KEYS.expired, project: 'shop', environment: 'dev', expires: '2020-01-01T00:00:00Z'},
    ],
    tokens: [{token: 'tok-shop-dev', project: 'shop', environment: 'dev', role: 'CONSUMER'}],
    projects: [
      {
        slug: 'shop',
        name: 'Shop',
        id: SHOP_ID,
        environments: [
          {
            slug: 'dev',
            name: 'Development',
            id: SHOP_DEV_ID,
            providers: [
              {slug: 'vault-dev', name: 'Vault dev', type: 'vault', secrets: {DATABASE_URL: 'postgres://dev', SHARED: 'from-vault'}},
              {
                slug: 'aws-dev',
                name: 'AWS dev',
                type: 'aws',
                region: 'eu-west-1',
                secrets: {SHARED: 'from-aws', FEATURE_FLAG: {value: 'true', description: 'toggle', type: 'Boolean'}},
              },
            ],
          },
          {slug: 'prod', name: 'Production', providers: [{slug: 'vault-prod', secrets: {DATABASE_URL: 'postgres://prod'}}]},
        ],
      },
      {slug: 'other', environments: [{slug: 'dev', providers: [{slug: 'vault', secrets: {OTHER: 'x'}}]}]},
    ],
  }
}

export const SHOP_DEV = '/api/v1/projects/shop/environments/dev'
