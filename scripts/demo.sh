#!/usr/bin/env bash
# The quick-start demo: start the local emulator, then run a program with the emulator's
# secrets injected. Nothing but this repository is needed (no account, no network).
set -euo pipefail
cd "$(dirname "$0")/.."

bella=./bin/run.js
work=$(mktemp -d)
cleanup() {
  [ -n "${emulator_pid:-}" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Starting the Bella Baxter emulator on 127.0.0.1 (random port)" >&2
"$bella" emulator --port 0 >"$work/env" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ "$(grep -c '^BELLA_BAXTER_' "$work/env" 2>/dev/null)" -ge 2 ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
set -a
# shellcheck disable=SC1091
. "$work/env"
set +a
# Keep the demo away from any real login on this machine.
export XDG_CONFIG_HOME="$work/config" BELLA_CREDENTIAL_STORE=file

echo "==> bella whoami" >&2
"$bella" whoami
echo >&2
echo "==> bella run -- node examples/print-secrets.js" >&2
"$bella" run -- node examples/print-secrets.js
echo >&2
echo "==> Exit codes pass through: bella run -- node -e 'process.exit(3)'" >&2
set +e
"$bella" run -- node -e 'process.exit(3)'
echo "exit status: $?" >&2
set -e
