#!/usr/bin/env bash
# Benchmarks on generated data, each in a database of its own (key_account
# installed without demo data). Prints the figures.
#
#   scripts/bench.sh [NAME...]     bench/bench_NAME.py (default: all of them);
#                                  they share bench/bench_data.py (data
#                                  generation and measures), imported from
#                                  PYTHONPATH
#   KA_BENCH_DB=name               the database (default: ka_bench_NAME)
#   KA_BENCH_KEEP=1                reuse the database and its data if it exists
source "$(dirname "$0")/env.sh"
ka_setup
names=${*:-regrade pool commission kpi followup health kanban form dashboard reviews}
for bench in $names; do
    DB=${KA_BENCH_DB:-ka_bench_$bench}
    if [ -z "${KA_BENCH_KEEP:-}" ] || ! ka_db_exists "$DB"; then
        ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
        ka_psql -c "CREATE DATABASE \"$DB\""
        echo "== installing key_account (and its dashboard) without demo data into $DB"
        "$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i key_account,key_account_spreadsheet_dashboard --without-demo=all \
            --stop-after-init --no-http --log-level=warn
    fi
    echo "== benchmark: $bench (database $DB)"
    PYTHONPATH="$KA_ROOT/bench${PYTHONPATH:+:$PYTHONPATH}" \
        "$ODOO_BIN" shell -c "$KA_CONF" -d "$DB" --no-http --log-level=warn \
        < "$KA_ROOT/bench/bench_$bench.py"
done
