#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the dynamic-credential tests (bella exec
# --provider, the emulator's PostgreSQL role manager) and for trying them by hand.
#
#   pg_env="$(bash scripts/postgres.sh)"; eval "$pg_env"     # sets BELLA_TEST_POSTGRES_URL
#   bash scripts/postgres.sh --no-install                   # never apt-get (what the tests use)
#   bash scripts/postgres.sh --stop                         # stop the server (the data stays)
#
# stdout gets exactly one line, `export BELLA_TEST_POSTGRES_URL='postgres://…'`: the URL of an
# admin role (bella_admin, superuser of this cluster only) and its database (bella_test), which
# is what the emulator's --postgres-url wants. Everything else goes to stderr.
#
# Idempotent: PostgreSQL is installed from Debian's packages only when no server binaries are
# found (apt-get update first; needs root); the cluster is created once; a running server is
# reused. The server runs as the `postgres` user when this runs as root (PostgreSQL refuses to
# run as root), as the current user otherwise. Settings:
#   BELLA_TEST_POSTGRES_PORT   TCP port on 127.0.0.1 (default 54329)
#   BELLA_TEST_POSTGRES_DIR    cluster, socket and log folder (default ${TMPDIR:-/tmp}/bella-postgres-PORT)
set -euo pipefail
# runuser and useradd live in sbin, which a minimal PATH (CI, `env -i`) may leave out.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

PORT="${BELLA_TEST_POSTGRES_PORT:-54329}"
DIR="${BELLA_TEST_POSTGRES_DIR:-${TMPDIR:-/tmp}/bella-postgres-$PORT}"
DATA="$DIR/data"
ADMIN_USER=bella_admin
ADMIN_DB=bella_test
INSTALL=1
STOP=0

for arg in "$@"; do
  case "$arg" in
    --no-install) INSTALL=0 ;;
    --stop) STOP=1 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "postgres.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "postgres.sh: $*" >&2; }
fail() { log "$*"; exit 1; }

# The newest server found: Debian's /usr/lib/postgresql/N/bin, else whatever PATH has.
find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

install_postgres() {
  [ "$INSTALL" = 1 ] || fail "PostgreSQL server binaries not found (and --no-install was given)."
  command -v apt-get >/dev/null 2>&1 || fail "PostgreSQL server binaries not found and apt-get is not available: install PostgreSQL (server) yourself."
  [ "$(id -u)" = 0 ] || fail "PostgreSQL server binaries not found; installing them needs root: sudo apt-get install postgresql"
  log "installing PostgreSQL from Debian's packages…"
  # We create our own cluster: tell the package not to create and start a 'main' one on 5432.
  mkdir -p /etc/postgresql-common
  if ! grep -qs '^[[:space:]]*create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
  [ "$STOP" = 1 ] && { log "no PostgreSQL installed, nothing to stop"; exit 0; }
  install_postgres
  BINDIR="$(find_bindir)" || fail "PostgreSQL was installed but its server binaries were not found."
fi
PSQL="$BINDIR/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
[ -n "$PSQL" ] || fail "psql not found (install postgresql-client)."

# PostgreSQL will not run as root: use the `postgres` account then (the Debian package creates it).
if [ "$(id -u)" = 0 ]; then
  RUN_AS=postgres
  id -u "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
  as_server() { runuser -u "$RUN_AS" -- "$@"; }
else
  RUN_AS="$(id -un)"
  as_server() { "$@"; }
fi

mkdir -p "$DIR"
# One run at a time (parallel test files may call this together).
exec 9>"$DIR.lock"
flock -w 180 9 || fail "timed out waiting for another postgres.sh run ($DIR.lock)"

if [ "$STOP" = 1 ]; then
  if [ -f "$DATA/PG_VERSION" ]; then as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true; fi
  exit 0
fi

chown "$RUN_AS" "$DIR"
chmod 700 "$DIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
  log "creating a cluster in $DATA ($("$BINDIR/postgres" --version))"
  # Socket connections (in $DIR, mode 0700: the server account and root only) are trusted; TCP
  # logins need a password (SCRAM), which is also what makes VALID UNTIL count.
  as_server "$BINDIR/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  cat >>"$DATA/postgresql.conf" <<CONF

# --- scripts/postgres.sh: a throwaway test server ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
password_encryption = 'scram-sha-256'
max_connections = 60
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
fi

if as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "server already running on 127.0.0.1:$PORT ($DATA)"
else
  log "starting the server on 127.0.0.1:$PORT"
  # 9>&-: the server must not inherit the lock, or it would hold it for as long as it runs.
  if ! as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null 9>&-; then
    tail -n 20 "$DIR/server.log" >&2 || true
    fail "the server did not start (is port $PORT taken? set BELLA_TEST_POSTGRES_PORT)"
  fi
fi

# The admin password is made once and kept next to the cluster (mode 0600), so reruns agree.
PWFILE="$DIR/admin-password"
if [ ! -s "$PWFILE" ]; then
  (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$PWFILE")
fi
PASSWORD="$(cat "$PWFILE")"

# The password is hex, so it needs no quoting in SQL or in the URL.
"$PSQL" -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE $ADMIN_USER LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ADMIN_USER') \gexec
ALTER ROLE $ADMIN_USER LOGIN SUPERUSER PASSWORD '$PASSWORD';
SELECT 'CREATE DATABASE $ADMIN_DB OWNER $ADMIN_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$ADMIN_DB') \gexec
SQL

URL="postgres://$ADMIN_USER:$PASSWORD@127.0.0.1:$PORT/$ADMIN_DB"
PGCONNECT_TIMEOUT=10 "$PSQL" -X -q "$URL" -c 'select 1' >/dev/null || fail "cannot log in over TCP as $ADMIN_USER"
log "ready: $ADMIN_USER@127.0.0.1:$PORT/$ADMIN_DB (data in $DATA, log in $DIR/server.log)"
echo "export BELLA_TEST_POSTGRES_URL='$URL'"
