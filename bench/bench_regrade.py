# Re-grading benchmark: 20,000 key accounts, 1,000,000 confirmed order lines,
# graded by sales or margin (the figures and the profit shares refreshed first).
#
#   KA_BENCH_DB=ka_bench_regrade scripts/bench.sh regrade
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it and only times the cron.
from bench_data import Bench
from bench_data import pick

from odoo.tools import SQL

N_ACCOUNTS = 20_000
N_ORDERS = 180_000
N_LINES = 1_000_000
DAYS = 456  # about 15 months of orders
PREFIX = "Bench KA "

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"].with_context(active_test=False)
bench = Bench(env)

if not bench.has_orders("BENCH/"):
    with bench.generating():
        types = env["key_account.type"].search([]).ids
        product = bench.product("Bench regrade product")
        cr.execute(SQL("SELECT id FROM res_users WHERE active AND share IS NOT TRUE"))
        users = [row[0] for row in cr.fetchall()]
        # the companies: various types, all key accounts
        companies = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=pick(types),
            ka_since=SQL("CURRENT_DATE - 900"),
        )
        # 0 to 3 contacts per company (30,000 in all): their orders count for it
        contacts = bench.contacts(PREFIX, SQL("mod(p.id, 4)"))
        # the orders over 15 months: every tenth company stopped ordering more
        # than 12 months ago (it turns dormant), every 50th never ordered
        bench.orders(
            "BENCH/",
            N_ORDERS,
            sorted(companies + contacts),
            where=SQL("mod(c.commercial_partner_id, 50) != 7"),
            user_id=pick(users),
            date_order=SQL(
                """CASE WHEN mod(c.commercial_partner_id, 10) = 0
                        THEN NOW() AT TIME ZONE 'UTC'
                             - (370 + mod(g * 7, %(days)s - 370)) * INTERVAL '1 day'
                        ELSE NOW() AT TIME ZONE 'UTC'
                             - mod(g * 7, %(days)s) * INTERVAL '1 day' END""",
                days=DAYS,
            ),
        )
        # the lines, spread over the orders; prices vary with the company so
        # the accounts fall into every grade (A: 1/10, B: 1/4)
        price = SQL(
            """(5 + mod(l, 7) * 3) * (1 + mod(l / 3, 10))
               * CASE WHEN mod(so.ka_commercial_partner_id, 20) < 2 THEN 150
                      WHEN mod(so.ka_commercial_partner_id, 20) < 7 THEN 30
                      ELSE 1 END"""
        )
        # the cost: 50% to 80% of the price, so margins vary between accounts
        cost = SQL("(%s) * (0.5 + mod(so.ka_commercial_partner_id, 4) * 0.1)", price)
        bench.lines(
            "BENCH/",
            product,
            n=N_LINES,
            qty=SQL("1 + mod(l, 5)"),
            price=price,
            purchase_price=cost,
            margin=SQL("(1 + mod(l, 5)) * ((%s) - (%s))", price, cost),
        )
        bench.amounts("BENCH/")
        bench.analyze()

accounts = Partner.search([("name", "=like", PREFIX + "%"), ("is_company", "=", True)])
n_lines = bench.count(
    """SELECT COUNT(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
        WHERE o.state = 'sale' AND o.name LIKE %s""",
    "BENCH/%",
)
n_orders = bench.count("SELECT COUNT(*) FROM sale_order WHERE name LIKE %s", "BENCH/%")
n_contacts = bench.count(
    "SELECT COUNT(*) FROM res_partner WHERE parent_id = ANY(%s)", accounts.ids
)
print(
    f"data: {len(accounts)} key accounts with {n_contacts} contacts, "
    f"{n_orders} confirmed orders, {n_lines} order lines"
)


def reset(partners):
    """Forget the grades and sales of ``partners``: the next run changes all."""
    cr.execute(
        SQL(
            """UPDATE res_partner SET ka_grade_id = NULL, ka_sales_12m = NULL,
                      ka_margin_12m = NULL, ka_margin_share = NULL,
                      ka_last_order_date = NULL WHERE id = ANY(%s)""",
            partners.ids,
        )
    )
    cr.execute(
        SQL(
            "DELETE FROM key_account_grade_history WHERE partner_id = ANY(%s)",
            partners.ids,
        )
    )
    cr.execute(
        SQL(
            """DELETE FROM mail_message WHERE model = 'res.partner'
                  AND res_id = ANY(%s)""",
            partners.ids,
        )
    )
    cr.commit()
    env.invalidate_all()


def timed(label, call):
    with bench.measure() as measure:
        changed = call()
    cr.commit()
    env.invalidate_all()
    print(
        f"{label}: {measure.seconds:.1f} s, {measure.queries} queries, "
        f"{len(changed)} grades changed"
    )
    return measure.seconds, measure.queries


# grades from the sales or the margin, whichever is better: both are read
for code, margin in (("A", 200_000), ("B", 40_000), ("C", 0)):
    env["key_account.grade"].search([("code", "=", code)]).min_margin_12m = margin
env.company.ka_grade_basis = "either"
cr.commit()

reset(accounts)
size = f"{len(accounts)} key accounts, {n_lines} order lines"
first, q_all = timed(f"regrade: {size}", Partner._ka_cron_regrade)
second, _q = timed(f"regrade again: {size}", Partner._ka_cron_regrade)
subset = accounts[:2000]
reset(subset)
_t, q_subset = timed(f"regrade of a {len(subset)}-account subset", subset._ka_regrade)
cr.execute(
    SQL(
        """SELECT COALESCE(g.code, '-'), COUNT(*) FROM res_partner p
             LEFT JOIN key_account_grade g
                    ON g.id = (p.ka_grade_id->>%s)::int
            WHERE p.id = ANY(%s) GROUP BY 1 ORDER BY 1""",
        str(env.company.id),
        accounts.ids,
    )
)
print("grades:", ", ".join(f"{code}: {n}" for code, n in cr.fetchall()))
# No query per partner: the ORM reads records a thousand at a time and writes
# recomputed fields a hundred rows per UPDATE (a few queries per thousand
# accounts); the rest is a fixed number of grouped queries.
per_thousand = (q_all - q_subset) / ((len(accounts) - len(subset)) / 1000)
print(
    f"queries: {q_all} for {len(accounts)} accounts, {q_subset} for {len(subset)} "
    f"(+{per_thousand:.1f} per 1,000 more accounts: ORM batches)"
)
# a query per partner would add 1,000 queries per 1,000 accounts
verdict = "OK" if first < 30 and per_thousand < 100 else "TOO SLOW OR QUERY PER PARTNER"
print(f"RESULT regrade_seconds={first:.1f} (target < 30 s): {verdict}")
