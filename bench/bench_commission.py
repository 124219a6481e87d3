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

from odoo import Command
from odoo.tools import SQL

N_USERS = 200
ACCOUNTS_PER_USER = 10
N_ORDERS = 100_000  # in the year
LINES_PER_ORDER = 10
MONTH = (date(2025, 6, 1), date(2025, 6, 30))

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
plan = env.ref("key_account.key_account_commission_plan_full_time")
plan.write({"cadence": "monthly", "deduct_expenses": False})


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


users = Users.search([("login", "=like", "com_bench_%")], order="id")
if len(users) < N_USERS:
    t0 = time.time()
    group = env.ref("key_account.group_key_account_user")
    users = Users.create(
        [
            {
                "name": f"Bench Salesperson {i:03d}",
                "login": f"com_bench_{i:03d}",
                "groups_id": [Command.set([group.id])],
                "ka_commission_plan_id": plan.id,
            }
            for i in range(N_USERS)
        ]
    )
    company = env.company
    product = env["product.product"].create(
        {"name": "Bench product", "list_price": 100}
    )
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, user_id)
            SELECT 'Bench Account ' || g, 'Bench Account ' || g, TRUE, TRUE,
                   'contact', 'ask', (%(users)s)[1 + mod(g, %(n_users)s)]
              FROM generate_series(0, %(n)s - 1) g
            """,
            users=users.ids,
            n_users=N_USERS,
            n=N_USERS * ACCOUNTS_PER_USER,
        )
    )
    cr.execute(
        SQL(
            "UPDATE res_partner SET commercial_partner_id = id "
            "WHERE name LIKE %s AND commercial_partner_id IS NULL",
            "Bench Account %",
        )
    )
    cr.execute(
        SQL(
            "SELECT array_agg(id ORDER BY id) FROM res_partner WHERE name LIKE %s",
            "Bench Account %",
        )
    )
    partner_ids = cr.fetchone()[0]
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                    partner_shipping_id, company_id, currency_id,
                                    currency_rate, date_order, state, user_id,
                                    amount_untaxed)
            SELECT 'CBENCH/' || g, p, p, p, %(company)s, %(currency)s, 1.0,
                   TIMESTAMP '2025-01-01 09:00' + mod(g, 365) * INTERVAL '1 day',
                   'sale', (%(users)s)[1 + mod(p - %(first)s, %(n_users)s)], 0
              FROM (SELECT g, (%(partners)s)[1 + mod(g, %(n_partners)s)] AS p
                      FROM generate_series(0, %(n)s - 1) g) s
            """,
            company=company.id,
            currency=company.currency_id.id,
            users=users.ids,
            first=partner_ids[0],
            n_users=N_USERS,
            partners=partner_ids,
            n_partners=len(partner_ids),
            n=N_ORDERS,
        )
    )
    # prices from 10 to 130 against a list price of 100, some discounted:
    # the discount rule applies to part of the orders
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (order_id, name, customer_lead, price_unit,
                                         product_uom_qty, discount, price_subtotal,
                                         product_id, company_id, currency_id, state)
            SELECT so.id, 'Bench line', 0, 10 + mod(l * 7 + so.id, 121) * 1.0,
                   1 + mod(so.id, 3), mod(so.id, 4) * 2.5,
                   (10 + mod(l * 7 + so.id, 121)) * (1 + mod(so.id, 3))
                   * (1 - mod(so.id, 4) * 2.5 / 100),
                   %(product)s, so.company_id, so.currency_id, 'sale'
              FROM sale_order so, generate_series(1, %(lines)s) l
             WHERE so.name LIKE %(pattern)s
            """,
            product=product.id,
            pattern="CBENCH/%",
            lines=LINES_PER_ORDER,
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE sale_order so
               SET amount_untaxed = l.amount
              FROM (SELECT order_id, SUM(price_subtotal) amount
                      FROM sale_order_line GROUP BY order_id) l
             WHERE l.order_id = so.id AND so.name LIKE %s
            """,
            "CBENCH/%",
        )
    )
    cr.execute(SQL("ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE res_partner"))
    env.invalidate_all()
    env.registry.clear_cache()
    env.cr.commit()
    print(f"generated the data in {time.time() - t0:.1f} s")

cr.execute(SQL("SELECT COUNT(*) FROM sale_order_line WHERE name = %s", "Bench line"))
print(f"{cr.fetchone()[0]} order lines, {len(users)} salespeople")

Settlement = env["key_account.commission.settlement"]
Settlement.search([("user_id", "in", users.ids)]).unlink()
env.flush_all()
env.cr.commit()
env.invalidate_all()

mem_before = peak_mb()
t0 = time.time()
settlements = Settlement.compute_settlements(*MONTH)
env.flush_all()
orm_time = time.time() - t0
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
cr.execute(
    SQL(
        "SELECT COUNT(*) FROM sale_order WHERE state = 'sale' AND date_order >= %s "
        "AND date_order < %s AND user_id = ANY(%s)",
        MONTH[0],
        date(2025, 7, 1),
        users.ids,
    )
)
n_orders = cr.fetchone()[0]

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
