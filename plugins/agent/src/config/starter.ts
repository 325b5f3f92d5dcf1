/**
 * `bella agent --init`: a commented starter file (contract §2.2's scaffold, adjusted to this
 * agent's rules). It must itself be a valid config. It is created with O_EXCL, so an existing
 * file is never overwritten, not even by a race.
 */
import {writeFile} from 'node:fs/promises'
import {usageError} from '@bella/core'

/** Where the starter's watch points: the resolved context, when one is known. */
export interface StarterTarget {
  project: string
  environment: string
  /** Where they came from, for the file's comment: `BELLA_BAXTER_PROJECT`, `GET /api/v1/keys/me`, … */
  origin: string
}

const PLACEHOLDER_WATCH = `  - project: my-project         # placeholder: your project's slug or id (no context was known: see bella context init)
    environment: production     # placeholder: its environment's slug`

const watchLines = (target: StarterTarget) =>
  `  - project: ${target.project}  # from ${target.origin.replaceAll('\n', ' ')}\n    environment: ${target.environment}`

/** The starter file, watching `target` when one is known, else a placeholder to edit. */
export const starterConfig = (target?: StarterTarget): string =>
  STARTER_CONFIG.replace(PLACEHOLDER_WATCH, target && /^[\w.-]+$/.test(target.project + target.environment) ? watchLines(target) : PLACEHOLDER_WATCH)

export const STARTER_CONFIG = `# bella agent: keeps secret files in sync with Bella Baxter and tells a process when they change.
# Run it with \`bella agent\` (this file) or \`bella agent -c path/to/file.yaml\`; \`--once\` writes the
# files once and exits (for init containers). Credentials and the API URL come from the usual places
# (BELLA_BAXTER_API_KEY / bella login, BELLA_BAXTER_URL / --api-url).
# Values may use environment variables: \${NAME}, or \${NAME:-default} when NAME may be unset.
# Relative paths are relative to this file's folder.

watches:                        # where secrets come from; later watches win on a key both define
  - project: my-project         # placeholder: your project's slug or id (no context was known: see bella context init)
    environment: production     # placeholder: its environment's slug
    # provider: aws-prod        # only this provider's secrets (default: the whole environment)
    poll-interval: 30           # seconds between checks for a change (5 or more)

sinks:                          # where they are written (atomically, mode 0600, only when changed)
  - type: dotenv                # KEY="value" lines
    path: ./.env
  # - type: json                # one JSON object
  #   path: ./secrets.json
  # - type: yaml
  #   path: ./secrets.yaml

process:                        # who to tell after the files changed
  signal: sighup                # sighup | sigterm | none
  pid-file: ./app.pid           # file holding the pid of the process to signal
`

/** Writes the starter file; a usage error (exit 2) when something already exists at `path`. */
export async function writeStarterConfig(path: string, label: string, target?: StarterTarget): Promise<void> {
  try {
    await writeFile(path, starterConfig(target), {flag: 'wx', mode: 0o644})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw usageError(`${label} already exists; not overwriting it`, {
        code: 'agent_config_exists',
        suggestions: ['edit it, remove it first, or write the starter elsewhere: bella agent --init -c <path>'],
      })
    }
    if (code === 'ENOENT') {
      throw usageError(`cannot create ${label}: its folder does not exist`, {code: 'agent_config_unwritable'})
    }
    throw usageError(`cannot create ${label}: ${code ?? (error as Error).message}`, {code: 'agent_config_unwritable'})
  }
}
