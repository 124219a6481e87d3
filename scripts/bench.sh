#!/usr/bin/env bash
# Benchmarks on generated data, in their own database (a clone of the test
# template with key_account installed without demo data). Prints the figures.
#
#   scripts/bench.sh [regrade]     which benchmark (default: all)
#   KA_BENCH_KEEP=1                keep the database (ka_bench) for a next run
source "$(dirname "$0")/env.sh"
ka_setup
DB=${KA_BENCH_DB:-ka_bench}
if [ -z "${KA_BENCH_KEEP:-}" ] || ! ka_db_exists "$DB"; then
    ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    ka_psql -c "CREATE DATABASE \"$DB\""
    echo "== installing key_account without demo data into $DB"
    "$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i key_account --without-demo=all \
        --stop-after-init --no-http --log-level=warn
fi
for bench in ${1:-regrade}; do
    echo "== benchmark: $bench"
    "$ODOO_BIN" shell -c "$KA_CONF" -d "$DB" --no-http --log-level=warn \
        < "$KA_ROOT/bench/bench_$bench.py"
done
