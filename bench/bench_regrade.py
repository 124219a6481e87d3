# Re-grading 20,000 key accounts over 1,000,000 confirmed order lines.
# Run by scripts/bench.sh (odoo shell):
#   KA_BENCH_DB=ka_bench_regrade scripts/bench.sh regrade
# The data is generated with SQL once; KA_BENCH_KEEP=1 keeps it for a next run.
import time

from odoo.tools import SQL

N_ACCOUNTS = 20_000
N_ORDERS = 100_000
LINES_PER_ORDER = 10

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"]

cr.execute(SQL("SELECT COUNT(*) FROM res_partner WHERE name LIKE %s", "Regrade Co %"))
if cr.fetchone()[0] < N_ACCOUNTS:
    t0 = time.time()
    company = env.company
    ka_type = env.ref("key_account.key_account_type_high_value")
    product = env["product.product"].create({"name": "Regrade bench product"})
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, ka_type_id, ka_since)
            SELECT 'Regrade Co ' || g, 'Regrade Co ' || g, TRUE, TRUE, 'contact',
                   'ask', %(type)s, CURRENT_DATE - 800
              FROM generate_series(1, %(n)s) g
            """,
            type=ka_type.id,
            n=N_ACCOUNTS,
        )
    )
    cr.execute(
        SQL(
            "UPDATE res_partner SET commercial_partner_id = id "
            "WHERE name LIKE %s AND commercial_partner_id IS NULL",
            "Regrade Co %",
        )
    )
    # one buyer contact per account: its orders count for the company
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, parent_id, commercial_partner_id)
            SELECT 'Buyer of ' || p.name, p.name || ', Buyer', FALSE, TRUE,
                   'contact', 'ask', p.id, p.id
              FROM res_partner p WHERE p.name LIKE %s
            """,
            "Regrade Co %",
        )
    )
    cr.execute(
        SQL(
            """SELECT array_agg(id ORDER BY id) FROM res_partner
                WHERE name LIKE %s OR name LIKE %s""",
            "Regrade Co %",
            "Buyer of Regrade Co %",
        )
    )
    customers = cr.fetchone()[0]
    # 100,000 orders over the last 15 months; every tenth account only ordered
    # more than 12 months ago (it turns dormant)
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                    partner_shipping_id, ka_commercial_partner_id,
                                    company_id, currency_id, currency_rate,
                                    date_order, state, amount_untaxed)
            SELECT 'REGRADE/' || g, c.id, c.id, c.id, c.commercial_partner_id,
                   %(company)s, %(currency)s, 1.0,
                   CASE WHEN mod(c.commercial_partner_id, 10) = 0
                        THEN NOW() - (370 + mod(g * 13, 85)) * INTERVAL '1 day'
                        ELSE NOW() - mod(g * 13, 456) * INTERVAL '1 day' END,
                   'sale', 0
              FROM generate_series(0, %(n)s - 1) g
              JOIN res_partner c ON c.id = (%(customers)s)[1 + mod(g, %(nc)s)]
            """,
            company=company.id,
            currency=company.currency_id.id,
            customers=customers,
            nc=len(customers),
            n=N_ORDERS,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (order_id, name, customer_lead, price_unit,
                                         product_uom_qty, price_subtotal, product_id,
                                         company_id, currency_id, state)
            SELECT so.id, 'Regrade line', 0, price, 1, price, %(product)s,
                   so.company_id, so.currency_id, 'sale'
              FROM sale_order so, generate_series(1, %(lines)s) l,
                   LATERAL (SELECT (10 + mod(so.ka_commercial_partner_id * 37, 1000))
                                   * 30.0 AS price) pr
             WHERE so.name LIKE %(pattern)s
            """,
            product=product.id,
            lines=LINES_PER_ORDER,
            pattern="REGRADE/%",
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE sale_order so SET amount_untaxed = l.amount
              FROM (SELECT order_id, SUM(price_subtotal) amount
                      FROM sale_order_line GROUP BY order_id) l
             WHERE l.order_id = so.id AND so.name LIKE %s
            """,
            "REGRADE/%",
        )
    )
    cr.execute(SQL("ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE res_partner"))
    env.invalidate_all()
    env.registry.clear_cache()
    cr.commit()
    print(f"generated the data in {time.time() - t0:.1f} s")

cr.execute(SQL("SELECT COUNT(*) FROM sale_order_line WHERE name = %s", "Regrade line"))
n_lines = cr.fetchone()[0]
accounts = Partner.search([("name", "=like", "Regrade Co %")])
print(f"{len(accounts)} key accounts, {n_lines} confirmed order lines")


def reset(partners):
    cr.execute(
        SQL(
            """UPDATE res_partner SET ka_grade_id = NULL, ka_sales_12m = 0,
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
    cr.commit()
    env.invalidate_all()


def timed(label, call):
    before = cr.sql_log_count
    t0 = time.time()
    changed = call()
    env.flush_all()
    elapsed = time.time() - t0
    queries = cr.sql_log_count - before
    print(f"{label}: {elapsed:.1f} s, {queries} queries, {len(changed)} grades changed")
    cr.commit()
    env.invalidate_all()
    return elapsed


reset(accounts)
first = timed(
    f"regrade ({len(accounts)} key accounts, {n_lines} order lines), all change",
    Partner._ka_cron_regrade,
)
timed("regrade again, nothing changes", Partner._ka_cron_regrade)
subset = accounts[:2000]
reset(subset)
timed("regrade of a 2,000-account subset, all change", subset._ka_regrade)
cr.execute(
    SQL(
        """SELECT g.code, COUNT(*) FROM res_partner p
             JOIN key_account_grade g ON g.id = p.ka_grade_id
            WHERE p.id = ANY(%s) GROUP BY g.code ORDER BY g.code""",
        accounts.ids,
    )
)
print("grades:", ", ".join(f"{code}: {count}" for code, count in cr.fetchall()))
print(f"RESULT regrade_seconds={first:.1f} (target < 30 s)")
