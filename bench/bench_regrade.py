# Re-grading benchmark: 20,000 key accounts, 1,000,000 confirmed order lines.
#
#   KA_BENCH_DB=ka_bench_regrade scripts/bench.sh regrade
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it and only times the cron.
import time

from odoo.tools import SQL

N_ACCOUNTS = 20_000
N_ORDERS = 180_000
N_LINES = 1_000_000
DAYS = 456  # about 15 months of orders
PREFIX = "Bench KA "

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"].with_context(active_test=False)


def count(query, *args):
    cr.execute(SQL(query, *args))
    return cr.fetchone()[0]


def generate():
    t0 = time.time()
    company = env.company
    types = env["key_account.type"].search([]).ids
    product = env["product.product"].create({"name": "Bench regrade product"})
    cr.execute(SQL("SELECT id FROM res_users WHERE active AND share IS NOT TRUE"))
    users = [row[0] for row in cr.fetchall()]
    cr.execute(SQL("SELECT id FROM product_pricelist ORDER BY id LIMIT 1"))
    pricelist = (cr.fetchone() or [None])[0]
    # the companies: various types, all key accounts
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, ka_type_id, ka_since,
                                     create_date, write_date)
            SELECT %(prefix)s || g, %(prefix)s || g, TRUE, TRUE, 'contact', 'ask',
                   (%(types)s::int[])[1 + mod(g, %(ntypes)s)], CURRENT_DATE - 900,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM generate_series(1, %(n)s) g
            """,
            prefix=PREFIX,
            types=types,
            ntypes=len(types),
            n=N_ACCOUNTS,
        )
    )
    cr.execute(
        SQL(
            """UPDATE res_partner SET commercial_partner_id = id
                WHERE name LIKE %s AND commercial_partner_id IS NULL""",
            PREFIX + "%",
        )
    )
    # 0 to 3 contacts per company (30,000 in all): their orders count for it
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, parent_id,
                                     commercial_partner_id, create_date, write_date)
            SELECT 'Contact ' || c || ' of ' || p.name,
                   p.name || ', Contact ' || c, FALSE, TRUE, 'contact', 'ask',
                   p.id, p.id, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM res_partner p
              JOIN generate_series(1, 3) c ON c <= mod(p.id, 4)
             WHERE p.name LIKE %s AND p.is_company
            """,
            PREFIX + "%",
        )
    )
    cr.execute(
        SQL(
            """SELECT array_agg(id ORDER BY id) FROM res_partner
                WHERE commercial_partner_id IN (
                      SELECT id FROM res_partner WHERE name LIKE %s AND is_company)""",
            PREFIX + "%",
        )
    )
    customers = cr.fetchone()[0]
    # the orders over 15 months: every tenth company stopped ordering more
    # than 12 months ago (it turns dormant), every 50th never ordered
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, state, company_id, partner_id,
                                    partner_invoice_id, partner_shipping_id,
                                    ka_commercial_partner_id, pricelist_id,
                                    currency_id, currency_rate, user_id, date_order,
                                    amount_untaxed, amount_tax, amount_total,
                                    invoice_status, create_uid, write_uid,
                                    create_date, write_date)
            SELECT 'BENCH/' || g, 'sale', %(company)s, c.id, c.id, c.id,
                   c.commercial_partner_id, %(pricelist)s, %(currency)s, 1.0,
                   (%(users)s::int[])[1 + mod(g, %(nusers)s)],
                   CASE WHEN mod(c.commercial_partner_id, 10) = 0
                        THEN NOW() AT TIME ZONE 'UTC'
                             - (370 + mod(g * 7, %(days)s - 370)) * INTERVAL '1 day'
                        ELSE NOW() AT TIME ZONE 'UTC'
                             - mod(g * 7, %(days)s) * INTERVAL '1 day' END,
                   0, 0, 0, 'no', %(uid)s, %(uid)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM generate_series(0, %(n)s - 1) g
              JOIN res_partner c ON c.id = (%(customers)s::int[])[1 + mod(g, %(nc)s)]
             WHERE mod(c.commercial_partner_id, 50) != 7
            """,
            company=company.id,
            pricelist=pricelist,
            currency=company.currency_id.id,
            users=users,
            nusers=len(users),
            days=DAYS,
            uid=env.uid,
            customers=customers,
            nc=len(customers),
            n=N_ORDERS,
        )
    )
    cr.execute(
        SQL("SELECT MIN(id), COUNT(*) FROM sale_order WHERE name LIKE %s", "BENCH/%")
    )
    first_order, n_orders = cr.fetchone()
    # the lines, spread over the orders; prices vary with the company so the
    # accounts fall into every grade (A: 1/10, B: 1/4)
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (order_id, name, sequence, state, product_id,
                                         product_uom, product_uom_qty, price_unit,
                                         discount, price_subtotal, price_tax,
                                         price_total, customer_lead, company_id,
                                         currency_id, order_partner_id, salesman_id,
                                         invoice_status, qty_delivered, qty_invoiced,
                                         qty_to_invoice, create_uid, write_uid,
                                         create_date, write_date)
            SELECT so.id, 'Bench line', 10, 'sale', %(product)s, %(uom)s, l.qty,
                   l.price * f.factor, 0, l.qty * l.price * f.factor, 0,
                   l.qty * l.price * f.factor, 0,
                   so.company_id, so.currency_id, so.partner_id, so.user_id, 'no',
                   0, 0, 0, %(uid)s, %(uid)s, so.create_date, so.write_date
              FROM (SELECT g, 1 + mod(g, 5) AS qty,
                           (5 + mod(g, 7) * 3) * (1 + mod(g / 3, 10)) AS price
                      FROM generate_series(0, %(n)s - 1) g) l
              JOIN sale_order so ON so.id = %(first)s + mod(l.g, %(norders)s),
                   LATERAL (SELECT CASE WHEN mod(so.ka_commercial_partner_id, 20) < 2
                                        THEN 150
                                        WHEN mod(so.ka_commercial_partner_id, 20) < 7
                                        THEN 30 ELSE 1 END AS factor) f
            """,
            product=product.id,
            uom=product.uom_id.id,
            uid=env.uid,
            n=N_LINES,
            first=first_order,
            norders=n_orders,
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE sale_order so
               SET amount_untaxed = l.amount, amount_total = l.amount
              FROM (SELECT order_id, SUM(price_subtotal) AS amount
                      FROM sale_order_line GROUP BY order_id) l
             WHERE l.order_id = so.id AND so.name LIKE %s
            """,
            "BENCH/%",
        )
    )
    cr.commit()
    for table in ("res_partner", "sale_order", "sale_order_line"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    env.registry.clear_cache()
    cr.commit()
    print(f"generated the data in {time.time() - t0:.1f} s")


if not count(
    "SELECT COUNT(*) FROM (SELECT 1 FROM sale_order WHERE name LIKE %s LIMIT 1) o",
    "BENCH/%",
):
    generate()

accounts = Partner.search([("name", "=like", PREFIX + "%"), ("is_company", "=", True)])
n_lines = count(
    """SELECT COUNT(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
        WHERE o.state = 'sale' AND o.name LIKE %s""",
    "BENCH/%",
)
n_orders = count("SELECT COUNT(*) FROM sale_order WHERE name LIKE %s", "BENCH/%")
n_contacts = count(
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
    env.invalidate_all()
    before = cr.sql_log_count
    t0 = time.time()
    changed = call()
    env.flush_all()
    elapsed = time.time() - t0
    queries = cr.sql_log_count - before
    cr.commit()
    env.invalidate_all()
    print(f"{label}: {elapsed:.1f} s, {queries} queries, {len(changed)} grades changed")
    return elapsed, queries


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
