# Key Accounts dashboard benchmark: 100,000 key accounts graded in two
# companies (bench_kanban's shape: 50 salespeople, the grades' spread, the
# figures of the cards), 200,000 confirmed orders of the last year, and
# what the dashboard counts: health, receivables, follow-up dates, 100,000
# pool moves and 100,000 grade changes of the last year, 20,000 visits,
# the salespeople's monthly targets and reports. Times every data request
# of the Key Accounts dashboard as the web client issues them on opening it
# (tools/web_client.py of key_account_spreadsheet_dashboard: the fields of
# each model, each pivot's read_groups, the list, the charts), with the
# default filters (this quarter), as a Key Accounts manager and as a
# salesperson; prints the total and the slowest data sources.
#
#   scripts/bench.sh dashboard
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it. Nothing is written by the
# timed part.
import time

from bench_data import Bench
from bench_data import pick

from odoo.addons.key_account_spreadsheet_dashboard.tools import web_client
from odoo.tools import SQL

N_ACCOUNTS = 100_000
ORDERS_PER_ACCOUNT = 2
N_USERS = 50
N_VISITS = 20_000
PREFIX = "Bench Dashboard "
RUNS = 3  # each measure is the best of RUNS, after a warm-up run
GOAL = 2.0  # seconds, the issue's

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
bench = Bench(env)
company = env.company
ref = env.ref

users = bench.users("bench_dashboard_", N_USERS)
other = env["res.company"].search([("name", "=", "Bench Dashboard Second Company")])
if not other:
    other = env["res.company"].create({"name": "Bench Dashboard Second Company"})
manager = users[0]
manager.write(
    {
        "groups_id": [(4, ref("key_account.group_key_account_manager").id)],
        "company_ids": [(4, company.id), (4, other.id)],
    }
)
salesperson = users[1]

if not bench.has_orders("BDASH/"):
    with bench.generating():
        grades = [ref(f"key_account.key_account_grade_{c}").id for c in "abcd"]
        grade_here = SQL(
            "(%s::int[])[CASE WHEN mod(g, 20) < 2 THEN 1 WHEN mod(g, 20) < 7 "
            "THEN 2 WHEN mod(g, 20) < 16 THEN 3 ELSE 4 END]",
            grades,
        )
        grade_there = pick(grades, SQL("mod(g * 7, 4)"))

        def per_company(here, there):
            return SQL(
                "jsonb_build_object(%s::text, %s, %s::text, %s)",
                company.id,
                here,
                other.id,
                there,
            )

        accounts = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=pick(env["key_account.type"].search([]).ids),
            user_id=pick(users.ids),
            ka_grade_id=per_company(grade_here, grade_there),
            ka_since=SQL("CURRENT_DATE - 500"),
            ka_file_completeness=SQL("mod(g, 5) * 25"),
            ka_sales_12m=per_company(SQL("mod(g, 1000) * 1000"), SQL("mod(g, 300)")),
            # one account in seven owes, overdue
            ka_receivable_open=per_company(
                SQL("CASE WHEN mod(g, 7) = 0 THEN 2000 + mod(g, 500) ELSE 0 END"),
                SQL("0"),
            ),
            ka_receivable_overdue=per_company(
                SQL("CASE WHEN mod(g, 7) = 0 THEN 1000 + mod(g, 500) ELSE 0 END"),
                SQL("0"),
            ),
            ka_overdue_days=per_company(
                SQL("CASE WHEN mod(g, 7) = 0 THEN mod(g, 90) ELSE 0 END"), SQL("0")
            ),
            ka_next_followup_date=SQL("CURRENT_DATE - 30 + mod(g, 60)"),
        )
        bench.orders(
            "BDASH/",
            N_ACCOUNTS * ORDERS_PER_ACCOUNT,
            accounts,
            index=SQL("g / %s", ORDERS_PER_ACCOUNT),
            date_order=SQL(
                "NOW() AT TIME ZONE 'UTC' - mod(g * 13, 360) * INTERVAL '1 day'"
            ),
            amount_untaxed=SQL("100 + mod(g, 50) * 20"),
            amount_total=SQL("100 + mod(g, 50) * 20"),
        )
        # the health of every account: a score, its band
        cr.execute(
            SQL(
                """INSERT INTO key_account_health
                          (partner_id, company_id, score, band, date)
                   SELECT id, %s, mod(id * 37, 101),
                          CASE WHEN mod(id * 37, 101) < 40 THEN 'at_risk'
                               WHEN mod(id * 37, 101) < 70 THEN 'watch'
                               ELSE 'healthy' END, CURRENT_DATE
                     FROM res_partner WHERE id = ANY(%s)""",
                company.id,
                accounts,
            )
        )
        # a pool move and a grade change per account over the last year
        cr.execute(
            SQL(
                """INSERT INTO key_account_pool_log
                          (partner_id, company_id, action, date, from_user_id,
                           to_user_id, salesperson_id, create_uid, create_date)
                   SELECT p.id, %(company)s,
                          (ARRAY['claim', 'release', 'return', 'assign'])
                              [1 + mod(p.id, 4)],
                          NOW() AT TIME ZONE 'UTC'
                              - mod(p.id * 11, 365) * INTERVAL '1 day',
                          CASE WHEN mod(p.id, 4) IN (1, 2) THEN p.user_id END,
                          CASE WHEN mod(p.id, 4) IN (0, 3) THEN p.user_id END,
                          p.user_id, %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM res_partner p WHERE p.id = ANY(%(accounts)s)""",
                company=company.id,
                accounts=accounts,
                uid=env.uid,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO key_account_grade_history
                          (partner_id, company_id, old_grade_id, new_grade_id, date,
                           mode, create_uid, create_date)
                   SELECT p.id, %(company)s, (%(grades)s::int[])[1 + mod(p.id, 4)],
                          (p.ka_grade_id ->> %(key)s)::int,
                          NOW() AT TIME ZONE 'UTC'
                              - mod(p.id * 7, 365) * INTERVAL '1 day',
                          'automatic', %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM res_partner p WHERE p.id = ANY(%(accounts)s)""",
                company=company.id,
                grades=grades,
                key=str(company.id),
                accounts=accounts,
                uid=env.uid,
            )
        )
        # visits of the last year, planned, approved and spent
        cr.execute(
            SQL(
                """INSERT INTO key_account_visit
                          (partner_id, company_id, user_id, name, state,
                           method, date_start, amount_planned, amount_approved,
                           amount_actual, expense_state, create_uid, create_date)
                   SELECT p.id, %(company)s, p.user_id, 'BDASH-V' || g,
                          (ARRAY['draft', 'submitted', 'approved', 'done', 'closed'])
                              [1 + mod(g, 5)],
                          'onsite',
                          NOW() AT TIME ZONE 'UTC' - mod(g * 3, 365) * INTERVAL '1 day',
                          500 + mod(g, 10) * 100, 500 + mod(g, 10) * 100,
                          CASE WHEN mod(g, 5) >= 3 THEN 400 + mod(g, 10) * 100
                               ELSE 0 END,
                          'none', %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM generate_series(0, %(n)s - 1) g
                     JOIN res_partner p
                       ON p.id = (%(accounts)s::int[])[1 + mod(g * 5, %(count)s)]""",
                company=company.id,
                uid=env.uid,
                n=N_VISITS,
                accounts=accounts,
                count=len(accounts),
            )
        )
        # the salespeople's targets and monthly reports of the last 12 months
        cr.execute(
            SQL(
                """INSERT INTO key_account_commission_target
                          (user_id, company_id, month, amount, create_uid, create_date)
                   SELECT u, %(company)s,
                          (date_trunc('month', CURRENT_DATE)
                           - m * INTERVAL '1 month')::date,
                          400000, %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM unnest(%(users)s::int[]) u, generate_series(0, 11) m""",
                company=company.id,
                users=users.ids,
                uid=env.uid,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO key_account_monthly_report
                          (user_id, company_id, month, state, create_uid, create_date)
                   SELECT u, %(company)s,
                          (date_trunc('month', CURRENT_DATE)
                           - m * INTERVAL '1 month')::date,
                          CASE WHEN mod(u + m, 3) = 0 THEN 'draft' ELSE 'submitted' END,
                          %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM unnest(%(users)s::int[]) u, generate_series(0, 11) m""",
                company=company.id,
                users=users.ids,
                uid=env.uid,
            )
        )
        cr.execute(
            SQL(
                "ANALYZE key_account_health, key_account_pool_log, "
                "key_account_grade_history, key_account_visit, "
                "key_account_commission_target, key_account_monthly_report"
            )
        )
        bench.analyze()

n_accounts = bench.count(
    "SELECT COUNT(*) FROM res_partner WHERE ka_type_id IS NOT NULL AND active"
)
n_orders = bench.count("SELECT COUNT(*) FROM sale_order WHERE name LIKE 'BDASH/%%'")
print(
    f"data: {n_accounts} key accounts graded in 2 companies, {n_orders} orders, "
    f"{bench.count('SELECT COUNT(*) FROM key_account_pool_log')} pool moves, "
    f"{bench.count('SELECT COUNT(*) FROM key_account_grade_history')} grade changes, "
    f"{bench.count('SELECT COUNT(*) FROM key_account_visit')} visits, "
    f"{len(users)} salespeople"
)

dashboard = ref("key_account_spreadsheet_dashboard.spreadsheet_dashboard_key_account")
data = web_client.dashboard_data(dashboard)


def source_times(user_env):
    """Each data source's requests alone (for the slowest list)."""
    times = {}
    for pivot_id, pivot in data["pivots"].items():
        one = dict(data, pivots={pivot_id: pivot}, lists={}, sheets=[])
        start = time.time()
        web_client.dashboard_requests(user_env, one)
        times[f"pivot {pivot_id} {pivot['name']}"] = time.time() - start
    for list_id, list_ in data["lists"].items():
        one = dict(data, pivots={}, lists={list_id: list_})
        one["sheets"] = [dict(s, figures=[]) for s in data["sheets"]]
        start = time.time()
        web_client.dashboard_requests(user_env, one)
        times[f"list {list_id} {list_['name']}"] = time.time() - start
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            if not figure["data"]["type"].startswith("odoo_"):
                continue
            one = dict(
                data,
                pivots={},
                lists={},
                sheets=[dict(sheet, figures=[figure], cells={})],
            )
            start = time.time()
            web_client.dashboard_requests(user_env, one)
            times[f"chart {figure['data']['title']['text']}"] = time.time() - start
    return times


verdicts = []
for role, user in (("manager", manager), ("salesperson", salesperson)):
    user_env = env(
        user=user,
        context={
            "allowed_company_ids": [company.id],
            "lang": "en_US",
            "tz": "UTC",
        },
    )
    web_client.dashboard_requests(user_env, data)  # warm-up: registry caches
    runs = []
    for _run in range(RUNS):
        with bench.measure() as measure:
            result = web_client.dashboard_requests(user_env, data)
        runs.append((measure.seconds, measure.queries, result["requests"]))
    seconds, queries, requests = min(runs)
    slowest = sorted(source_times(user_env).items(), key=lambda kv: -kv[1])[:4]
    print(
        f"dashboard as {role}: {requests} requests, {queries} queries in "
        f"{seconds * 1000:.0f} ms; slowest: "
        + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in slowest)
    )
    verdicts.append(seconds < GOAL)
    print(
        f"RESULT dashboard_{role}_ms={seconds * 1000:.0f} (target < "
        f"{GOAL * 1000:.0f} ms): {'OK' if verdicts[-1] else 'TOO SLOW'}"
    )
