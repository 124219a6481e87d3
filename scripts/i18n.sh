#!/usr/bin/env bash
# Regenerate key_account/i18n/key_account.pot from the module as installed in
# a scratch database (a clone of the test template), and merge it into the
# existing .po files with msgmerge when it is available.
source "$(dirname "$0")/env.sh"
ka_setup
DEPENDS=$("$KA_PYTHON" -c "import ast,sys; print(','.join(ast.literal_eval(open(sys.argv[1]).read())['depends']))" "$KA_ROOT/key_account/__manifest__.py")
DB=ka_i18n_$$
ka_psql -c "CREATE DATABASE \"$DB\""
trap 'ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null' EXIT
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i "key_account" --without-demo=all \
    --stop-after-init --no-http --log-level=warn
mkdir -p "$KA_ROOT/key_account/i18n"
POT=$KA_ROOT/key_account/i18n/key_account.pot
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" --i18n-export="$POT" --modules=key_account \
    --stop-after-init --no-http --log-level=warn
echo "wrote $POT ($(grep -c '^msgid ' "$POT") messages; depends: $DEPENDS)"
if command -v msgmerge >/dev/null 2>&1; then
    for po in "$KA_ROOT"/key_account/i18n/*.po; do
        [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$POT" && echo "merged $po"
    done
fi
