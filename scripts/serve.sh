#!/usr/bin/env bash
# Serve Odoo on http://localhost:8069 with key_account and its demo data, in a
# project-local database (created and the module installed on first run;
# later runs update the module). Log in as admin / admin.
#
#   KA_DB=name     the database (default: key_account_demo)
#   KA_PORT=8069   the HTTP port
source "$(dirname "$0")/env.sh"
ka_setup
DB=${KA_DB:-key_account_demo}
PORT=${KA_PORT:-8069}
if ka_db_exists "$DB"; then
    action=(-u key_account)
else
    action=(-i key_account)
fi
echo "== Odoo on http://localhost:$PORT, database $DB (login admin / admin)"
exec "$ODOO_BIN" -c "$KA_CONF" -d "$DB" --db-filter "^$DB\$" "${action[@]}" \
    --http-port "$PORT" --load-language "${KA_LANG:-en_US}" "$@"
