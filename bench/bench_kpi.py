# Scorecards for 200 salespeople over a year of 1,000,000 order lines.
# Run by scripts/bench.sh (odoo shell): KA_BENCH_DB=ka_bench_kpi scripts/bench.sh kpi
# The data is generated with SQL (INSERT ... SELECT generate_series) once;
# KA_BENCH_KEEP=1 keeps it for the next run.
from datetime import date

from bench_data import Bench

from odoo.tools import SQL

N_USERS = 200
ACCOUNTS_PER_USER = 10
N_ORDERS = 100_000
LINES_PER_ORDER = 10
YEAR = (date(2025, 1, 1), date(2025, 12, 31))

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
bench = Bench(env)

users = bench.users("kpi_bench_", N_USERS)
if not bench.has_orders("BENCH/"):
    with bench.generating():
        accounts = bench.owned_accounts(
            users,
            ACCOUNTS_PER_USER,
            ka_type_id=env.ref("key_account.key_account_type_strategic").id,
            ka_since=SQL("DATE '2024-01-01' + mod(g, 700)"),
        )
        # orders: spread over two years (this year and the one before, for
        # growth); the order's salesperson owns its account
        bench.orders(
            "BENCH/",
            N_ORDERS * 2,
            accounts,
            date_order=SQL(
                """TIMESTAMP '2024-01-01 09:00'
                   + (CASE WHEN g < %s THEN 366 ELSE 0 END
                      + mod(g, 365)) * INTERVAL '1 day'""",
                N_ORDERS,
            ),
        )
        # 1,000,000 lines on the orders of the year appraised
        price = SQL("10 + mod(l * 7 + so.id, 90)")
        bench.lines(
            "BENCH/",
            bench.product(),
            per_order=LINES_PER_ORDER,
            where=SQL(
                "so.date_order >= %s AND so.date_order < %s",
                YEAR[0],
                date(YEAR[1].year + 1, 1, 1),
            ),
            qty=1,
            price=price,
            purchase_price=8,
            margin=SQL("%s - 8", price),
        )
        bench.amounts("BENCH/")
        # orders of the year before: amounts without lines
        cr.execute(
            SQL(
                """UPDATE sale_order
                      SET amount_untaxed = 500, amount_total = 500, margin = 100
                    WHERE name LIKE %s AND amount_untaxed = 0""",
                "BENCH/%",
            )
        )
        bench.analyze()

n_lines = bench.count(
    "SELECT COUNT(*) FROM sale_order_line WHERE name = %s", "Bench line"
)
print(f"{n_lines} order lines, {len(users)} salespeople")

template = env.ref("key_account.key_account_kpi_template_consultant")
manager_template = env.ref("key_account.key_account_kpi_template_manager")
Scorecard = env["key_account.scorecard"]
Scorecard.search([("user_id", "in", users.ids)]).unlink()
env.flush_all()
env.invalidate_all()

for label, tmpl in (("consultant", template), ("manager", manager_template)):
    indicators = tmpl.line_ids.indicator_id
    with bench.measure() as measure:
        cards, skipped = Scorecard._ka_compute_scorecards(tmpl, users, *YEAR)
    print(
        f"{label} template: {len(cards)} scorecards ({len(indicators)} indicators, "
        f"{len(indicators.filtered('is_available'))} available) in "
        f"{measure.seconds:.2f} s, {measure.queries} queries"
    )
    # query count per indicator, for all the users at once
    for indicator in indicators.filtered("is_available"):
        with bench.measure() as measure:
            indicator._kpi_compute(users, *YEAR)
        print(
            f"  {indicator.code:22s} {measure.queries:3d} queries "
            f"{measure.seconds:6.2f} s"
        )
    print(f"  mean score: {sum(cards.mapped('score')) / len(cards):.1f}")
    Scorecard.search([("user_id", "in", users.ids)]).unlink()
    env.flush_all()
env.cr.rollback()
