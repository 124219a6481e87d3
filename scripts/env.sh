# shellcheck shell=bash
# Common environment of the project's scripts (sourced, not run).
#
# Finds Odoo and a PostgreSQL server, and writes an Odoo configuration file.
#   ODOO_BIN      the Odoo command (default: `odoo` on PATH)
#   ODOO_ADDONS   extra addons folders, comma-separated (added to the path)
#   PGHOST, PGPORT, PGUSER, PGPASSWORD
#                 an existing PostgreSQL server to use; when PGHOST is unset,
#                 a project-local throwaway server is started under .local/pg
#                 (as an unprivileged system user when run as root).
set -euo pipefail

KA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# KA_LOCAL: where the throwaway server, filestore and tools live; several
# checkouts (git worktrees) can share one by setting it.
KA_LOCAL=${KA_LOCAL:-$KA_ROOT/.local}
ODOO_BIN=${ODOO_BIN:-odoo}
mkdir -p "$KA_LOCAL"

ka_die() { echo "error: $*" >&2; exit 2; }

ka_find_odoo() {
    command -v "$ODOO_BIN" >/dev/null 2>&1 \
        || ka_die "no Odoo found: put the 'odoo' command on PATH or set ODOO_BIN=/path/to/odoo-bin"
    local version
    version=$("$ODOO_BIN" --version 2>/dev/null | grep -o 'Odoo Server [0-9.]*' || true)
    case "$version" in
        "Odoo Server 18.0"*) ;;
        *) ka_die "key_account needs Odoo 18.0, '$ODOO_BIN --version' says: ${version:-nothing}" ;;
    esac
    # Odoo's own addons folder, from the interpreter that runs the odoo command.
    local py
    py=$(head -n1 "$(command -v "$ODOO_BIN")" | sed -n 's/^#!\(.*python[0-9.]*\).*/\1/p')
    [ -n "$py" ] || py=python3
    KA_PYTHON=$py
    ODOO_CORE_ADDONS=$("$py" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isdir(os.path.join(p, "web"))))' 2>/dev/null || true)
    [ -n "$ODOO_CORE_ADDONS" ] || ka_die "cannot find Odoo's addons folder (set ODOO_ADDONS to it)"
}

ka_pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
    done
    command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)" && return
    ka_die "no PostgreSQL server binaries (pg_ctl) found: install PostgreSQL or set PGHOST to a running server"
}

# Start (once) a throwaway PostgreSQL cluster under .local/pg, on a unix socket
# and a loopback port; trust authentication, a superuser role 'odoo'.
ka_start_local_pg() {
    local bin data sock port run_as pgdir key
    bin=$(ka_pg_bin)
    # one cluster per .local folder, on a port of its own
    key=$(echo "$KA_LOCAL" | md5sum | cut -c1-8)
    port=${KA_PG_PORT:-$((54000 + 16#${key:0:4} % 900))}
    pgdir=$KA_LOCAL/pg
    run_as=()
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses root: run it as an unprivileged user, with its
        # files where that user can reach them whatever the checkout's modes
        id kapg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin kapg
        run_as=(runuser -u kapg --)
        pgdir=/var/tmp/key_account_pg_$key
    fi
    data=$pgdir/data
    sock=$pgdir/sock
    mkdir -p "$pgdir" "$sock"
    [ "$(id -u)" = 0 ] && chown kapg "$pgdir" "$sock" && chmod 755 "$pgdir"
    if [ ! -f "$data/PG_VERSION" ]; then
        "${run_as[@]}" "$bin/initdb" -D "$data" -U odoo --auth=trust -E UTF8 --locale=C >/dev/null
        cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_locks_per_transaction = 256
CONF
    fi
    if ! "${run_as[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$pgdir/server.log" -w start >/dev/null
    fi
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=odoo
    unset PGPASSWORD
}

ka_setup() {
    ka_find_odoo
    if [ -z "${PGHOST:-}" ]; then
        ka_start_local_pg
    fi
    # one configuration per checkout (several worktrees may share .local)
    KA_CONF=$KA_LOCAL/odoo-$(echo "$KA_ROOT" | md5sum | cut -c1-8).conf
    local addons=$ODOO_CORE_ADDONS,$KA_ROOT
    [ -n "${ODOO_ADDONS:-}" ] && addons=$ODOO_ADDONS,$addons
    cat > "$KA_CONF" <<CONF
[options]
addons_path = $addons
data_dir = $KA_LOCAL/filestore
db_host = ${PGHOST}
db_port = ${PGPORT:-5432}
db_user = ${PGUSER:-odoo}
db_password = ${PGPASSWORD:-False}
list_db = True
http_interface = ${KA_HTTP_INTERFACE:-127.0.0.1}
CONF
    export KA_CONF KA_PYTHON
}

ka_psql() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
ka_db_exists() { [ "$(ka_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# Stop the project-local PostgreSQL of this .local folder, if it runs.
ka_stop_local_pg() {
    local key pgdir bin
    bin=$(ka_pg_bin)
    key=$(echo "$KA_LOCAL" | md5sum | cut -c1-8)
    if [ "$(id -u)" = 0 ]; then
        pgdir=/var/tmp/key_account_pg_$key
        [ -f "$pgdir/data/PG_VERSION" ] && runuser -u kapg -- "$bin/pg_ctl" -D "$pgdir/data" stop -m fast || true
        rm -rf "$pgdir"
    else
        pgdir=$KA_LOCAL/pg
        [ -f "$pgdir/data/PG_VERSION" ] && "$bin/pg_ctl" -D "$pgdir/data" stop -m fast || true
    fi
}
