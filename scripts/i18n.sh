#!/usr/bin/env bash
# Regenerate the .pot of each add-on (key_account/i18n/key_account.pot and
# key_account_hr_expense/i18n/key_account_hr_expense.pot, likewise the dashboard
# bridge key_account_spreadsheet_dashboard's) from the add-ons as
# installed with their demo data in a scratch database (key_account, hr_expense
# and the bridge: as Odoo's own add-ons, the .pot holds the demo's translatable
# texts too, the jewellery's product names...), and merge it into the existing .po files with msgmerge
# when it is available (a missing zh_CN.po is created).
source "$(dirname "$0")/env.sh"
ka_setup
MODULES=(key_account key_account_hr_expense key_account_spreadsheet_dashboard)
DB=ka_i18n_$$
ka_psql -c "CREATE DATABASE \"$DB\""
trap 'ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null' EXIT
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i "$(IFS=,; echo "${MODULES[*]}")" \
    --stop-after-init --no-http --log-level=warn
for module in "${MODULES[@]}"; do
    mkdir -p "$KA_ROOT/$module/i18n"
    POT=$KA_ROOT/$module/i18n/$module.pot
    "$ODOO_BIN" -c "$KA_CONF" -d "$DB" --i18n-export="$POT" --modules="$module" \
        --stop-after-init --no-http --log-level=warn
    echo "wrote $POT ($(grep -c '^msgid ' "$POT") messages)"
    if command -v msgmerge >/dev/null 2>&1; then
        if [ ! -f "$KA_ROOT/$module/i18n/zh_CN.po" ] && command -v msginit >/dev/null 2>&1; then
            msginit --no-translator --no-wrap -l zh_CN.UTF-8 -i "$POT" \
                -o "$KA_ROOT/$module/i18n/zh_CN.po" && echo "created $module/i18n/zh_CN.po"
        fi
        for po in "$KA_ROOT/$module"/i18n/*.po; do
            [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$POT" && echo "merged $po"
        done
    fi
done
