/**
 * `bella agent --init`: a commented starter file (contract §2.2's scaffold, adjusted to this
 * agent's rules). It must itself be a valid config. It is created with O_EXCL, so an existing
 * file is never overwritten, not even by a race.
 */
import {writeFile} from 'node:fs/promises'
import {usageError} from '@bella/core'

export const STARTER_CONFIG = `# bella agent: keeps secret files in sync with Bella Baxter and tells a process when they change.
# Run it with \`bella agent\` (this file) or \`bella agent -c path/to/file.yaml\`; \`--once\` writes the
# files once and exits (for init containers). Credentials and the API URL come from the usual places
# (BELLA_BAXTER_API_KEY / bella login, BELLA_BAXTER_URL / --api-url).
# Values may use environment variables: \${NAME}, or \${NAME:-default} when NAME may be unset.
# Relative paths are relative to this file's folder.

watches:                        # where secrets come from; later watches win on a key both define
  - project: my-project         # project slug or id
    environment: production     # environment slug
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
export async function writeStarterConfig(path: string, label: string): Promise<void> {
  try {
    await writeFile(path, STARTER_CONFIG, {flag: 'wx', mode: 0o644})
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
