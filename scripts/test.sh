#!/usr/bin/env bash
# The whole test suite: ruff, pylint-odoo, then the module's tests in a real
# Odoo database (a clone of a template database with the dependencies).
#
#   scripts/test.sh                 everything
#   scripts/test.sh /key_account:TestGrading   only some Odoo tests (--test-tags)
#   KA_SKIP_LINT=1 scripts/test.sh ...         tests only (while developing)
#   KA_KEEP_DB=1                                keep the test database
#   KA_SKIP_DEMO=1                              no demo install check (full runs)
#
# Ends with a line "N passed, N failed" (the lint runs count as two checks, and
# a full run installs the demo data outside test mode as a third).
source "$(dirname "$0")/env.sh"
ka_setup

TAGS=${1:-/key_account}
passed=0
failed=0

# ---- lint -------------------------------------------------------------------
if [ -z "${KA_SKIP_LINT:-}" ]; then
    TOOLS=$KA_LOCAL/tools
    if ! "$TOOLS/bin/python" -c "import pylint_odoo" 2>/dev/null || [ ! -x "$TOOLS/bin/ruff" ]; then
        echo "== installing ruff and pylint-odoo into $TOOLS"
        python3 -m venv "$TOOLS"
        "$TOOLS/bin/pip" install -q --disable-pip-version-check -r "$KA_ROOT/scripts/lint-requirements.txt"
    fi
    echo "== ruff"
    if (cd "$KA_ROOT" && "$TOOLS/bin/ruff" check . && "$TOOLS/bin/ruff" format --check .); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "ruff: FAILED"
    fi
    echo "== pylint-odoo"
    if (cd "$KA_ROOT" && "$TOOLS/bin/pylint" --rcfile=.pylintrc key_account); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "pylint-odoo: FAILED"
    fi
fi

# ---- template database ---------------------------------------------------------
DEPENDS=$("$KA_PYTHON" -c "import ast,sys; print(','.join(ast.literal_eval(open(sys.argv[1]).read())['depends']))" "$KA_ROOT/key_account/__manifest__.py")
KEY=$( ("$ODOO_BIN" --version; echo "$DEPENDS") | md5sum | cut -c1-10)
TEMPLATE=ka_tmpl_$KEY
(
    flock 9
    if ! ka_db_exists "$TEMPLATE"; then
        echo "== building template database $TEMPLATE ($DEPENDS, with demo data; once)"
        "$ODOO_BIN" -c "$KA_CONF" -d "$TEMPLATE.tmp" -i "$DEPENDS" --stop-after-init \
            --no-http --log-level=warn >"$KA_LOCAL/template.log" 2>&1 \
            || { tail -n 40 "$KA_LOCAL/template.log"; ka_die "could not build the template database"; }
        ka_psql -c "ALTER DATABASE \"$TEMPLATE.tmp\" RENAME TO \"$TEMPLATE\""
        rm -rf "$KA_LOCAL/filestore/filestore/$TEMPLATE"
        [ -d "$KA_LOCAL/filestore/filestore/$TEMPLATE.tmp" ] \
            && mv "$KA_LOCAL/filestore/filestore/$TEMPLATE.tmp" "$KA_LOCAL/filestore/filestore/$TEMPLATE"
    fi
) 9>"$KA_LOCAL/template.lock"

# ---- the demo, installed as scripts/serve.sh does (outside test mode) -------------
# Odoo only logs a warning when demo data fails and installs without it, and
# code may behave differently outside tests (commits): a full run checks it.
if [ -z "${1:-}" ] && [ -z "${KA_SKIP_DEMO:-}" ]; then
    DEMO_DB=ka_demo_$$_$(date +%s)
    DEMO_LOG=$KA_LOCAL/demo-$DEMO_DB.log
    echo "== key_account with its demo data, outside tests (as scripts/serve.sh), log $DEMO_LOG"
    ka_psql -c "CREATE DATABASE \"$DEMO_DB\" TEMPLATE \"$TEMPLATE\""
    [ -d "$KA_LOCAL/filestore/filestore/$TEMPLATE" ] \
        && cp -a "$KA_LOCAL/filestore/filestore/$TEMPLATE" "$KA_LOCAL/filestore/filestore/$DEMO_DB"
    if "$ODOO_BIN" -c "$KA_CONF" -d "$DEMO_DB" -i key_account --stop-after-init --no-http \
        --log-level=warn >"$DEMO_LOG" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) |demo data failed to install" "$DEMO_LOG"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "demo install: FAILED"
        grep -E " (ERROR|CRITICAL|WARNING) " "$DEMO_LOG" | head -n 20
    fi
    ka_psql -c "DROP DATABASE IF EXISTS \"$DEMO_DB\" WITH (FORCE)" || true
    rm -rf "$KA_LOCAL/filestore/filestore/$DEMO_DB"
fi

# ---- the module's tests --------------------------------------------------------
DB=ka_test_$$_$(date +%s)
ka_psql -c "CREATE DATABASE \"$DB\" TEMPLATE \"$TEMPLATE\""
if [ -d "$KA_LOCAL/filestore/filestore/$TEMPLATE" ]; then
    mkdir -p "$KA_LOCAL/filestore/filestore"
    cp -a "$KA_LOCAL/filestore/filestore/$TEMPLATE" "$KA_LOCAL/filestore/filestore/$DB"
fi
cleanup() {
    if [ -z "${KA_KEEP_DB:-}" ]; then
        ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" || true
        rm -rf "$KA_LOCAL/filestore/filestore/$DB"
    else
        echo "(kept database $DB)"
    fi
}
trap cleanup EXIT

PORT=$("$KA_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$KA_LOCAL/test-$DB.log
echo "== Odoo tests ($TAGS) in database $DB, log $LOG"
set +e
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i key_account --test-enable --test-tags "$TAGS" \
    --stop-after-init --http-port "$PORT" --gevent-port 0 --log-level=test 2>&1 \
    | tee "$LOG" | grep -E "(ERROR|CRITICAL|FAIL|Traceback|odoo.tests.result|^ *File |Error:)" | grep -v "INFO" | head -n 400
rc=${PIPESTATUS[0]}
set -e

report=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG" | tail -n1 || true)
if [ -z "$report" ]; then
    echo "no test report in the log (Odoo did not get to run the tests): see $LOG"
    failed=$((failed + 1))
else
    read -r f e n < <(echo "$report" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')
    passed=$((passed + n - f - e))
    failed=$((failed + f + e))
    if [ "$n" = 0 ]; then
        echo "no Odoo test ran for tags $TAGS"
        failed=$((failed + 1))
    fi
    # a skipped test (the browser test without Chromium...) is not a pass
    skipped=$(grep -cE "^[0-9-]+ [0-9:,]+ [0-9]+ INFO [^ ]+ [^ ]+: skipped " "$LOG" || true)
    if [ "$skipped" -gt 0 ]; then
        echo "skipped tests (counted as failed):"
        grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ INFO [^ ]+ [^ ]+: skipped " "$LOG" | head -n 20
        passed=$((passed - skipped))
        failed=$((failed + skipped))
    fi
    # errors outside tests (a view that does not load, a failing data file...)
    if [ $((f + e)) = 0 ] && grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$LOG"; then
        echo "errors logged outside of tests:"
        grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$LOG" | head -n 20
        failed=$((failed + 1))
    fi
fi
[ "$rc" = 0 ] || { [ "$failed" -gt 0 ] || failed=$((failed + 1)); echo "odoo exited with $rc"; }

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
