#!/usr/bin/env bash
# Serve Odoo on http://localhost:8069 with key_account and its demo data, in a
# project-local database (created and the module installed on first run:
# about three minutes, installing sale, account, key_account and the demo;
# later runs update the module, under a minute). Log in as admin / admin.
#
#   KA_DB=name     the database (default: key_account_demo)
#   KA_PORT=8069   the HTTP port
#   KA_LANG=zh_CN  the language of the demo: loaded, and set on admin and
#                  every demo user (default: en_US)
# Further arguments go to the Odoo server (e.g. --dev=xml).
source "$(dirname "$0")/env.sh"
ka_setup
DB=${KA_DB:-key_account_demo}
PORT=${KA_PORT:-8069}
LANG_CODE=${KA_LANG:-en_US}
if ka_db_exists "$DB"; then
    echo "== updating key_account in database $DB (under a minute)"
    # its dashboard too (installed here if the database predates it)
    action=(-u key_account -i key_account_spreadsheet_dashboard)
else
    echo "== first start: creating database $DB and installing sale, account,"
    echo "   key_account, its dashboard and its demo data; this takes about three minutes"
    action=(-i key_account,key_account_spreadsheet_dashboard)
fi
# a line every 30 seconds, so that a quiet install does not look stuck
(
    while sleep 30; do echo "   ... still working ($SECONDS s)"; done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" "${action[@]}" --load-language "$LANG_CODE" \
    --stop-after-init --no-http --log-level=warn
if [ "$LANG_CODE" != en_US ]; then
    echo "== $LANG_CODE for admin and the demo users"
    KA_LANG_CODE=$LANG_CODE "$ODOO_BIN" shell -c "$KA_CONF" -d "$DB" --no-http \
        --log-level=warn >/dev/null <<'PY'
import os

code = os.environ["KA_LANG_CODE"]
env["res.lang"]._activate_lang(code)
users = env["res.users"].with_context(active_test=False).search([("share", "=", False)])
users.write({"lang": code})
env.ref("base.partner_admin").lang = code
env.cr.commit()
PY
fi
kill "$ticker" 2>/dev/null || true
trap - EXIT
echo "== Odoo on http://localhost:$PORT, database $DB (login admin / admin), in $LANG_CODE"
exec "$ODOO_BIN" -c "$KA_CONF" -d "$DB" --db-filter "^$DB\$" --http-port "$PORT" "$@"
