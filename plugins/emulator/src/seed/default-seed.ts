/**
 * What the emulator serves when no seed file is given: enough to run the README's quick start.
 * The values look real so demos read naturally, but none of them is a working credential.
 */
import type {EmulatorSeed} from './seed.js'

export function defaultSeed(): EmulatorSeed {
  return {
    tenant: {slug: 'local', name: 'Local emulator'},
    projects: [
      {
        slug: 'demo',
        name: 'Demo',
        description: 'Seeded by bella emulator',
        environments: [
          {
            slug: 'dev',
            name: 'Development',
            providers: [
              {
                slug: 'vault-dev',
                name: 'Vault (dev)',
                type: 'vault',
                secrets: {
                  DATABASE_URL: 'postgres://demo:demo-password@localhost:5432/demo?sslmode=disable',
                  REDIS_URL: 'redis://localhost:6379/0',
                  STRIPE_API_KEY: 'fake_stripe_key_for_the_bella_emulator',
                  JWT_SIGNING_SECRET: 'emulator-only-3f9c2a7d1b6e4058',
                  FEATURE_NEW_CHECKOUT: {value: 'true', description: 'Roll-out flag', type: 'Boolean'},
                  LOG_LEVEL: 'debug',
                },
              },
            ],
          },
        ],
      },
    ],
    // One key, with neither id nor secret: a fresh random key on every start. ADMIN, so the demo key
    // can also create/revoke API keys and issue scoped tokens (`bella api-keys`, `bella issue`).
    keys: [{name: 'emulator key', project: 'demo', environment: 'dev', role: 'ADMIN'}],
  }
}
