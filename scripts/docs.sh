#!/usr/bin/env bash
# Take the documentation's screenshots (docs/*.png) from a fresh demo database:
# installs key_account with its demo data and Simplified Chinese into a
# scratch database, serves it on a free port, and drives headless Chromium
# (Debian's `chromium`) through scripts/screenshot.py as the demo users.
#
#   scripts/docs.sh            every screenshot
#   KA_DOCS_KEEP=1             keep the database (ka_docs) for a rerun
source "$(dirname "$0")/env.sh"
ka_setup
command -v chromium >/dev/null || ka_die "needs Debian's chromium (apt-get install chromium)"
DB=ka_docs
OUT=$KA_ROOT/docs
mkdir -p "$OUT"
if [ -z "${KA_DOCS_KEEP:-}" ] || ! ka_db_exists "$DB"; then
    ka_psql -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    echo "== installing key_account with demo data and zh_CN into $DB"
    "$ODOO_BIN" -c "$KA_CONF" -d "$DB" -i key_account --load-language zh_CN \
        --stop-after-init --no-http --log-level=warn
    # English for everybody but one demo salesperson, who reads Chinese (a
    # database created with --load-language has only that language active)
    ka_psql -d "$DB" -c "UPDATE res_lang SET active = true WHERE code = 'en_US';
        UPDATE res_partner p SET lang = CASE u.login WHEN 'wang.fang' THEN 'zh_CN'
            ELSE 'en_US' END FROM res_users u WHERE u.partner_id = p.id"
fi
PORT=$("$KA_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
"$ODOO_BIN" -c "$KA_CONF" -d "$DB" --db-filter "^$DB\$" --http-port "$PORT" \
    --gevent-port 0 --log-level=warn >"$KA_LOCAL/docs-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 120); do
    curl -fs -o /dev/null "$BASE/web/login" && break
    sleep 1
done

first() { ka_psql -d "$DB" -tAc "$1"; }
VISIT_SUBMITTED=$(first "SELECT id FROM key_account_visit WHERE state = 'submitted' ORDER BY id LIMIT 1")
VISIT_DONE=$(first "SELECT id FROM key_account_visit WHERE state IN ('done', 'closed') ORDER BY id LIMIT 1")
RECEPTION=$(first "SELECT id FROM key_account_reception WHERE state = 'approved' ORDER BY id LIMIT 1")
GIFT=$(first "SELECT id FROM key_account_gift WHERE state IN ('approved', 'done') ORDER BY id LIMIT 1")
SETTLEMENT=$(first "SELECT id FROM key_account_commission_settlement WHERE state = 'confirmed' ORDER BY id LIMIT 1")
SCORECARD=$(first "SELECT id FROM key_account_scorecard ORDER BY state DESC, id LIMIT 1")
ACCOUNT=$(first "SELECT p.id FROM res_partner p JOIN key_account_grade g ON g.id = p.ka_grade_id
    WHERE p.is_company AND p.user_id IS NOT NULL ORDER BY g.sequence, p.ka_sales_12m DESC LIMIT 1")
PLAN=$(first "SELECT res_id FROM ir_model_data WHERE module = 'key_account'
    AND name = 'key_account_commission_plan_full_time'")
VISIT_ZH=$(first "SELECT v.id FROM key_account_visit v JOIN res_users u ON u.id = v.user_id
    WHERE u.login = 'wang.fang' ORDER BY v.state = 'done' DESC, v.id LIMIT 1")
TEMPLATE=$(first "SELECT id FROM key_account_kpi_template ORDER BY id LIMIT 1")

shoot() { "$KA_PYTHON" "$KA_ROOT/scripts/screenshot.py" "$BASE" "$@"; }
A=/odoo/action-key_account
export KA_DB=$DB
# configuration, as the manager
shoot li.wei li "$OUT" \
    "config-grades=$A.key_account_grade_action" \
    "config-types=$A.key_account_type_action" \
    "config-approval-levels=$A.key_account_approval_rule_action" \
    "config-commission-plan=$A.key_account_commission_plan_action/$PLAN" \
    "config-kpi-template=$A.key_account_kpi_template_action/$TEMPLATE" \
    "manager-key-accounts=$A.res_partner_action_key_account" \
    "manager-account-form=$A.res_partner_action_key_account/$ACCOUNT|click:a[name=key_account]" \
    "manager-visit-approve=$A.key_account_visit_action/$VISIT_SUBMITTED" \
    "manager-settlement=$A.key_account_commission_settlement_action/$SETTLEMENT" \
    "manager-commission-pivot=$A.key_account_commission_settlement_action_dashboard" \
    "manager-grade-migrations=$A.key_account_grade_history_action_dashboard" \
    "manager-new-churned=$A.key_account_movement_report_action" \
    "manager-pool-flows=$A.key_account_pool_log_action_dashboard" \
    "manager-overdue=$A.res_partner_action_followup_overdue" \
    "manager-scorecard=$A.key_account_scorecard_action/$SCORECARD"
# the settings page needs Odoo's Settings rights
shoot admin admin "$OUT" "config-settings=$A.res_config_settings_action"
# daily use, as a salesperson
shoot zhang.min zhang "$OUT" \
    "sales-pool=$A.res_partner_action_pool" \
    "sales-my-accounts=$A.res_partner_action_my_key_accounts" \
    "sales-visits=$A.key_account_visit_action" \
    "sales-visit-done=$A.key_account_visit_action/$VISIT_DONE" \
    "sales-reception=$A.key_account_reception_action/$RECEPTION" \
    "sales-gift=$A.key_account_gift_action/$GIFT" \
    "sales-my-commissions=$A.key_account_commission_settlement_action_my"
# approver / finance
shoot chen.jie chen "$OUT" \
    "finance-expenses=$A.key_account_expense_action"
# the same app in Simplified Chinese, and a printed form
shoot wang.fang wang "$OUT" \
    "zh-key-accounts=$A.res_partner_action_key_account" \
    "zh-visit-form=/report/html/key_account.report_key_account_visit/$VISIT_ZH"
# the printed visit form as a real PDF (wkhtmltopdf, a CJK font such as
# Debian's fonts-noto-cjk), first page as an image
if command -v wkhtmltopdf >/dev/null && command -v pdftoppm >/dev/null; then
    "$ODOO_BIN" shell -c "$KA_CONF" -d "$DB" --no-http --log-level=error >/dev/null 2>&1 <<EOF
env["ir.config_parameter"].set_param("report.url", "$BASE")
env.cr.commit()
pdf, _kind = env["ir.actions.report"].with_context(lang="zh_CN")._render_qweb_pdf(
    "key_account.key_account_visit_report", [$VISIT_ZH]
)
open("$KA_LOCAL/docs-visit-zh.pdf", "wb").write(pdf)
EOF
    pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$KA_LOCAL/docs-visit-zh.pdf" "$OUT/zh-visit-form-pdf" \
        && echo "$OUT/zh-visit-form-pdf.png"
fi
echo "screenshots in $OUT"
