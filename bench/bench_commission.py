# One month's commission settlements for 200 salespeople, in a year of
# 1,000,000 confirmed order lines. Run by scripts/bench.sh (odoo shell):
#   KA_BENCH_DB=ka_bench_commission scripts/bench.sh commission
# The data is generated with SQL (INSERT ... SELECT generate_series) the way
# bench_kpi.py does, once; KA_BENCH_KEEP=1 keeps it for the next run.
# Compares compute_settlements with a bare SQL query computing the same
# per-salesperson totals (base and commission), to the cent.
import resource
import time
from datetime import date

from bench_data import Bench

from odoo.tools import SQL

N_USERS = 200
ACCOUNTS_PER_USER = 10
N_ORDERS = 100_000  # in the year
LINES_PER_ORDER = 10
MONTH = (date(2025, 6, 1), date(2025, 6, 30))

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
bench = Bench(env)
plan = env.ref("key_account.key_account_commission_plan_full_time")
plan.write({"cadence": "monthly", "deduct_expenses": False})


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


users = bench.users("com_bench_", N_USERS, ka_commission_plan_id=plan.id)
if not bench.has_orders("CBENCH/"):
    with bench.generating():
        accounts = bench.owned_accounts(users, ACCOUNTS_PER_USER)
        bench.orders(
            "CBENCH/",
            N_ORDERS,
            accounts,
            date_order=SQL(
                "TIMESTAMP '2025-01-01 09:00' + mod(g, 365) * INTERVAL '1 day'"
            ),
        )
        # prices from 10 to 130 against a list price of 100, some discounted:
        # the discount rule applies to part of the orders
        bench.lines(
            "CBENCH/",
            bench.product(list_price=100),
            per_order=LINES_PER_ORDER,
            qty=SQL("1 + mod(so.id, 3)"),
            price=SQL("10 + mod(l * 7 + so.id, 121)"),
            discount=SQL("mod(so.id, 4) * 2.5"),
        )
        bench.amounts("CBENCH/")
        bench.analyze()

n_order_lines = bench.count(
    "SELECT COUNT(*) FROM sale_order_line WHERE name = %s", "Bench line"
)
print(f"{n_order_lines} order lines, {len(users)} salespeople")

Settlement = env["key_account.commission.settlement"]
Settlement.search([("user_id", "in", users.ids)]).unlink()
env.flush_all()
env.cr.commit()

mem_before = peak_mb()
with bench.measure() as measure:
    settlements = Settlement.compute_settlements(*MONTH)
orm_time = measure.seconds
mem_peak = peak_mb()
orm = {
    s.user_id.id: (round(s.amount_base, 2), round(s.amount_commission, 2))
    for s in settlements
}
n_lines = sum(len(s.line_ids) for s in settlements)

# the bare SQL: same orders, same tier, same discount rule, rounded per order
t0 = time.time()
cr.execute(
    SQL(
        """
        WITH o AS (
            SELECT so.id, so.user_id,
                   ROUND(so.amount_untaxed
                         / COALESCE(NULLIF(so.currency_rate, 0), 1), 2) AS base
              FROM sale_order so
             WHERE so.state = 'sale' AND so.date_order >= %(start)s
               AND so.date_order < %(stop)s AND so.user_id = ANY(%(users)s)
        ), r AS (
            SELECT sol.order_id,
                   SUM(sol.price_unit * sol.product_uom_qty
                       * (1 - COALESCE(sol.discount, 0) / 100))
                   / NULLIF(SUM(pt.list_price * sol.product_uom_qty), 0) * 100 AS ratio
              FROM sale_order_line sol
              JOIN o ON o.id = sol.order_id
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             GROUP BY sol.order_id
        ), u AS (
            SELECT user_id, SUM(base) AS total FROM o GROUP BY user_id
        ), ut AS (
            SELECT u.user_id, t.rate
              FROM u JOIN key_account_commission_tier t
                ON t.plan_id = %(plan)s AND u.total >= t.amount_from
               AND (t.amount_to = 0 OR u.total < t.amount_to)
        )
        SELECT o.user_id, SUM(o.base),
               SUM(ROUND((o.base * ut.rate
                          * LEAST(1, COALESCE(r.ratio, 100) / %(threshold)s)
                          / 100)::numeric, 2))
          FROM o JOIN ut ON ut.user_id = o.user_id
          LEFT JOIN r ON r.order_id = o.id
         GROUP BY o.user_id
        """,
        start=MONTH[0],
        stop=date(2025, 7, 1),
        users=users.ids,
        plan=plan.id,
        threshold=plan.discount_threshold,
    )
)
bare = {uid: (round(base, 2), round(comm, 2)) for uid, base, comm in cr.fetchall()}
sql_time = time.time() - t0
n_orders = bench.count(
    "SELECT COUNT(*) FROM sale_order WHERE state = 'sale' AND date_order >= %s "
    "AND date_order < %s AND user_id = ANY(%s)",
    MONTH[0],
    date(2025, 7, 1),
    users.ids,
)

print(
    f"compute_settlements of {MONTH[0]:%Y-%m}: {len(settlements)} settlements, "
    f"{n_lines} lines for {n_orders} orders in {orm_time:.2f} s; "
    f"peak memory {mem_peak:.0f} MB (before: {mem_before:.0f} MB)"
)
print(f"bare SQL totals: {sql_time:.3f} s; ratio ORM/SQL = {orm_time / sql_time:.1f}")
diff = {uid: (orm.get(uid), bare.get(uid)) for uid in set(orm) | set(bare)}
diff = {uid: pair for uid, pair in diff.items() if pair[0] != pair[1]}
print(
    f"totals: base {sum(v[0] for v in orm.values()):,.2f}, commission "
    f"{sum(v[1] for v in orm.values()):,.2f}; {len(diff)} salespeople differ"
)
assert not diff, list(diff.items())[:5]
assert n_lines == n_orders, (n_lines, n_orders)
assert orm_time < 30, orm_time
assert mem_peak < 1024, mem_peak
env.cr.rollback()
