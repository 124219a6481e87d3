#!/usr/bin/env bash
# The whole test suite: ruff, pylint-odoo, then the module's tests in a real
# Odoo database (a clone of a template database with the dependencies).
#
#   scripts/test.sh                 everything: key_account's tests in a database
#                                   without hr_expense, the bridge
#                                   key_account_hr_expense's in one with it
#   scripts/test.sh /key_account:TestGrading   only some Odoo tests (--test-tags);
#                   /key_account_hr_expense:TestX runs in the database with hr_expense,
#                   /key_account_spreadsheet_dashboard:TestX in key_account's (the
#                   dashboard bridge is installed with key_account there)
#   KA_SKIP_LINT=1 scripts/test.sh ...         tests only (while developing)
#   KA_KEEP_DB=1                                keep the test database
#   KA_SKIP_DEMO=1                              no demo install check (full runs)
#   scripts/test.sh lifecycle       only the demo install and the lifecycle checks
#
# Ends with a line "N passed, N failed" (the lint runs count as two checks; a
# full run installs the demo data outside test mode as a third, then checks the
# module's lifecycle on that database as a fourth: -i again, uninstall, reinstall).
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
    if (cd "$KA_ROOT" && "$TOOLS/bin/pylint" --rcfile=.pylintrc key_account key_account_hr_expense key_account_spreadsheet_dashboard); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "pylint-odoo: FAILED"
    fi
fi

# ---- template databases ----------------------------------------------------------
# A template holds the dependencies of a set of add-ons (with demo data); each
# test database is a clone of one. key_account is tested alone (as a company
# without Expenses runs it) and, with hr_expense, together with its bridge.
ka_depends() {  # the dependencies of the add-ons $@ (folders of the repository)
    "$KA_PYTHON" - "$@" <<'PY'
import ast, os, sys
root = os.environ["KA_ROOT"]
mods = sys.argv[1:]
deps = []
for mod in mods:
    with open(os.path.join(root, mod, "__manifest__.py")) as f:
        for dep in ast.literal_eval(f.read())["depends"]:
            if dep not in mods and dep not in deps:
                deps.append(dep)
print(",".join(deps))
PY
}
ka_template() {  # prints the name of the template of the dependencies $1, built once
    local depends=$1 key template
    key=$( ("$ODOO_BIN" --version; echo "$depends") | md5sum | cut -c1-10)
    template=ka_tmpl_$key
    (
        flock 9
        # the server outlives a checkout (as root it lives in /var/tmp), the
        # filestore is the checkout's: a template without its filestore is
        # built again, or its clones miss their attachments
        if ka_db_exists "$template" && [ ! -d "$KA_LOCAL/filestore/filestore/$template" ]; then
            echo "== template database $template has no filestore here: building it again" >&2
            ka_psql -c "DROP DATABASE \"$template\" WITH (FORCE)"
        fi
        if ! ka_db_exists "$template"; then
            echo "== building template database $template ($depends, with demo data; once)" >&2
            "$ODOO_BIN" -c "$KA_CONF" -d "$template.tmp" -i "$depends" --stop-after-init \
                --no-http --log-level=warn >"$KA_LOCAL/template-$template.log" 2>&1 \
                || { tail -n 40 "$KA_LOCAL/template-$template.log" >&2; ka_die "could not build the template database"; }
            ka_psql -c "ALTER DATABASE \"$template.tmp\" RENAME TO \"$template\""
            rm -rf "$KA_LOCAL/filestore/filestore/$template"
            [ -d "$KA_LOCAL/filestore/filestore/$template.tmp" ] \
                && mv "$KA_LOCAL/filestore/filestore/$template.tmp" "$KA_LOCAL/filestore/filestore/$template"
            mkdir -p "$KA_LOCAL/filestore/filestore/$template"
        fi
    ) 9>"$KA_LOCAL/template.lock" >&2 || return 1
    echo "$template"
}
export KA_ROOT
# which runs the tags ask for: /key_account (with the dashboard bridge, whose
# dependency spreadsheet_dashboard comes with sale), /key_account_hr_expense (bridge)
run_core=
run_bridge=
case ",$TAGS," in *",/key_account,"* | *",/key_account:"* | *",/key_account."* | *",-/key_account"*) run_core=1 ;; esac
case ",$TAGS," in *"/key_account_spreadsheet_dashboard"*) run_core=1 ;; esac
case ",$TAGS," in *"/key_account_hr_expense"*) run_bridge=1 ;; esac
[ -n "$run_core$run_bridge" ] || run_core=1
TEMPLATE=$(ka_template "$(ka_depends key_account)") || exit 2

# ---- the demo, installed as scripts/serve.sh does (outside test mode) -------------
# Odoo only logs a warning when demo data fails and installs without it, and
# code may behave differently outside tests (commits): a full run checks it.
# ka_odoo_clean LOG ARGS...: runs Odoo (outside tests) into LOG; fails on an
# exit code, an error logged or demo data that failed (only a warning for Odoo,
# which then installs without it)
ka_odoo_clean() {
    local log=$1
    shift
    "$ODOO_BIN" -c "$KA_CONF" --no-http --log-level=warn "$@" >"$log" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) |demo data failed to install" "$log"
}
# ka_lifecycle DB LOG: the module's lifecycle on DB, where it is installed with
# its demo data: -i again as on a production database (its data loads again,
# noupdate records too, without duplicates; the demo data is a story of
# workflows told once, not loaded again), uninstall (no table of ours left),
# reinstall with the demo data (over what Odoo kept: posted invoices...)
ka_lifecycle() {
    local db=$1 log=$2 left
    echo "-- -i key_account where it is installed" >"$log"
    ka_odoo_clean "$log.1" -d "$db" -i key_account --without-demo=all --stop-after-init \
        || { cat "$log.1" >>"$log"; echo "-i key_account again failed"; return 1; }
    echo "-- uninstall" >>"$log"
    # Odoo tries to delete each record of the module and keeps those still in
    # use (posted invoices and their partners...): it logs each refused DELETE
    # as a "bad query" of odoo.sql_db, which is no error of the uninstall
    echo "env['ir.module.module'].search([('name', '=', 'key_account')]).button_immediate_uninstall()" \
        | "$ODOO_BIN" shell -c "$KA_CONF" --no-http --log-level=warn -d "$db" >"$log.2" 2>&1 \
        && ! grep -E " (ERROR|CRITICAL) " "$log.2" | grep -qv " odoo.sql_db: bad query: " \
        && [ "$(psql -X -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name = 'key_account'")" = uninstalled ] \
        || { cat "$log.2" >>"$log"; echo "uninstalling key_account failed"; return 1; }
    left=$(psql -X -d "$db" -tAc "SELECT string_agg(table_name, ', ') FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name LIKE 'key\_account%'")
    [ -z "$left" ] || { echo "tables left after uninstalling key_account: $left"; return 1; }
    echo "-- reinstall with the demo data" >>"$log"
    ka_odoo_clean "$log.3" -d "$db" -i key_account --stop-after-init \
        || { cat "$log.3" >>"$log"; echo "reinstalling key_account failed"; return 1; }
    rm -f "$log".[123]
}
if [ "${1:-}" = lifecycle ] || { [ -z "${1:-}" ] && [ -z "${KA_SKIP_DEMO:-}" ]; }; then
    DEMO_DB=ka_demo_$$_$(date +%s)
    DEMO_LOG=$KA_LOCAL/demo-$DEMO_DB.log
    echo "== key_account with its demo data, outside tests (as scripts/serve.sh), log $DEMO_LOG"
    ka_psql -c "CREATE DATABASE \"$DEMO_DB\" TEMPLATE \"$TEMPLATE\""
    [ -d "$KA_LOCAL/filestore/filestore/$TEMPLATE" ] \
        && cp -a "$KA_LOCAL/filestore/filestore/$TEMPLATE" "$KA_LOCAL/filestore/filestore/$DEMO_DB"
    if ka_odoo_clean "$DEMO_LOG" -d "$DEMO_DB" -i key_account --stop-after-init; then
        passed=$((passed + 1))
        LIFE_LOG=$KA_LOCAL/lifecycle-$DEMO_DB.log
        echo "== its lifecycle: -i again, uninstall, reinstall with demo data, log $LIFE_LOG"
        if ka_lifecycle "$DEMO_DB" "$LIFE_LOG"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "lifecycle: FAILED"
            grep -E " (ERROR|CRITICAL|WARNING) |^-- " "$LIFE_LOG" | head -n 20
        fi
    else
        failed=$((failed + 2))
        echo "demo install: FAILED (and its lifecycle not checked)"
        grep -E " (ERROR|CRITICAL|WARNING) " "$DEMO_LOG" | head -n 20
    fi
    ka_psql -c "DROP DATABASE IF EXISTS \"$DEMO_DB\" WITH (FORCE)" || true
    rm -rf "$KA_LOCAL/filestore/filestore/$DEMO_DB"
fi

if [ "${1:-}" = lifecycle ]; then
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
fi

# ---- the Odoo tests --------------------------------------------------------------
DBS=()
cleanup() {
    local db
    for db in "${DBS[@]}"; do
        if [ -z "${KA_KEEP_DB:-}" ]; then
            ka_psql -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
            rm -rf "$KA_LOCAL/filestore/filestore/$db"
        else
            echo "(kept database $db)"
        fi
    done
}
trap cleanup EXIT

# run_tests TEMPLATE MODULES TAGS: install MODULES (comma-separated) in a clone
# of TEMPLATE and run the tests of TAGS; adds to passed/failed
run_tests() {
    local template=$1 modules=$2 tags=$3 db port log report f e n skipped rc
    db=ka_test_$$_$(date +%s)_${#DBS[@]}
    DBS+=("$db")
    ka_psql -c "CREATE DATABASE \"$db\" TEMPLATE \"$template\""
    if [ -d "$KA_LOCAL/filestore/filestore/$template" ]; then
        mkdir -p "$KA_LOCAL/filestore/filestore"
        cp -a "$KA_LOCAL/filestore/filestore/$template" "$KA_LOCAL/filestore/filestore/$db"
    fi
    port=$("$KA_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log=$KA_LOCAL/test-$db.log
    echo "== Odoo tests ($tags) of $modules in database $db, log $log"
    set +e
    # the filter reads to the end (sed, not head): a reader that stops early
    # would close the pipe under tee and Odoo, and end the run without its report
    "$ODOO_BIN" -c "$KA_CONF" -d "$db" -i "$modules" --test-enable --test-tags "$tags" \
        --stop-after-init --http-port "$port" --gevent-port 0 --log-level=test \
        --screenshots "$KA_LOCAL/screenshots" 2>&1 \
        | tee "$log" | grep -E "(ERROR|CRITICAL|FAIL|Traceback|odoo.tests.result|^ *File |Error:)" | grep -v "INFO" | sed -n "1,400p"
    rc=${PIPESTATUS[0]}
    set -e

    report=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -n1 || true)
    if [ -z "$report" ]; then
        echo "no test report in the log (Odoo did not get to run the tests): see $log"
        failed=$((failed + 1))
    else
        read -r f e n < <(echo "$report" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')
        passed=$((passed + n - f - e))
        failed=$((failed + f + e))
        if [ "$n" = 0 ]; then
            echo "no Odoo test ran for tags $tags"
            failed=$((failed + 1))
        fi
        # a skipped test (the browser test without Chromium...) is not a pass
        skipped=$(grep -cE "^[0-9-]+ [0-9:,]+ [0-9]+ INFO [^ ]+ [^ ]+: skipped " "$log" || true)
        if [ "$skipped" -gt 0 ]; then
            echo "skipped tests (counted as failed):"
            grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ INFO [^ ]+ [^ ]+: skipped " "$log" | head -n 20
            passed=$((passed - skipped))
            failed=$((failed + skipped))
        fi
        # errors outside tests (a view that does not load, a failing data file...)
        if [ $((f + e)) = 0 ] && grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$log"; then
            echo "errors logged outside of tests:"
            grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$log" | head -n 20
            failed=$((failed + 1))
        fi
    fi
    [ "$rc" = 0 ] || { [ "$failed" -gt 0 ] || failed=$((failed + 1)); echo "odoo exited with $rc"; }
}

# key_account without hr_expense: its own tests and the dashboard bridge's (the
# bridge installs with key_account wherever Sales brought spreadsheet_dashboard)
if [ -n "$run_core" ]; then
    core_tags=$TAGS
    [ -n "${1:-}" ] || core_tags=/key_account,/key_account_spreadsheet_dashboard
    run_tests "$TEMPLATE" key_account,key_account_spreadsheet_dashboard "$core_tags"
fi
# with hr_expense: the bridge's tests (key_account, hr_expense and the bridge installed)
if [ -n "$run_bridge" ] || [ -z "${1:-}" ]; then
    bridge_tags=$TAGS
    [ -n "${1:-}" ] || bridge_tags=/key_account_hr_expense
    BRIDGE_TEMPLATE=$(ka_template "$(ka_depends key_account key_account_hr_expense)") || exit 2
    run_tests "$BRIDGE_TEMPLATE" key_account,key_account_hr_expense "$bridge_tags"
fi

echo "wall time: $((SECONDS / 60)) min $((SECONDS % 60)) s (CI stops a run at 90 min; keep it under 40)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
