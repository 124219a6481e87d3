# Scorecards for 200 salespeople over a year of 1,000,000 order lines.
# Run by scripts/bench.sh (odoo shell): KA_BENCH_DB=ka_bench_kpi scripts/bench.sh kpi
# The data is generated with SQL (INSERT ... SELECT generate_series) once;
# KA_BENCH_KEEP=1 keeps it for the next run.
import time
from datetime import date

from odoo import Command
from odoo.tools import SQL

N_USERS = 200
ACCOUNTS_PER_USER = 10
N_ORDERS = 100_000
LINES_PER_ORDER = 10
YEAR = (date(2025, 1, 1), date(2025, 12, 31))

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)

users = Users.search([("login", "=like", "kpi_bench_%")], order="id")
if len(users) < N_USERS:
    t0 = time.time()
    group = env.ref("key_account.group_key_account_user")
    users = Users.create(
        [
            {
                "name": f"Bench Salesperson {i:03d}",
                "login": f"kpi_bench_{i:03d}",
                "groups_id": [Command.set([group.id])],
            }
            for i in range(N_USERS)
        ]
    )
    company = env.company
    ka_type = env.ref("key_account.key_account_type_strategic")
    product = env["product.product"].create({"name": "Bench product"})
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                     autopost_bills, user_id, company_id,
                                     ka_type_id, ka_since)
            SELECT 'Bench Account ' || g, 'Bench Account ' || g, TRUE, TRUE,
                   'contact', 'ask', (%(users)s)[1 + mod(g, %(n_users)s)], NULL,
                   %(type)s, DATE '2024-01-01' + mod(g, 700)
              FROM generate_series(0, %(n)s - 1) g
            """,
            users=users.ids,
            n_users=N_USERS,
            type=ka_type.id,
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
    # orders: spread over two years (this year and the one before, for
    # growth); the order's salesperson owns its account
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                    partner_shipping_id, ka_commercial_partner_id,
                                    company_id, currency_id, currency_rate,
                                    date_order, state, user_id, amount_untaxed,
                                    margin)
            SELECT 'BENCH/' || g, p, p, p, p, %(company)s, %(currency)s, 1.0,
                   TIMESTAMP '2024-01-01 09:00'
                   + (CASE WHEN g < %(per_year)s THEN 366 ELSE 0 END
                      + mod(g, 365)) * INTERVAL '1 day',
                   'sale', (%(users)s)[1 + mod(p - %(first)s, %(n_users)s)], 0, 0
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
            per_year=N_ORDERS,
            n=N_ORDERS * 2,
        )
    )
    # 1,000,000 lines on the orders of the year appraised
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (order_id, name, customer_lead, price_unit,
                                         product_uom_qty, price_subtotal,
                                         purchase_price, margin, product_id,
                                         company_id, currency_id, state)
            SELECT so.id, 'Bench line', 0, 10 + mod(l * 7 + so.id, 90), 1,
                   10 + mod(l * 7 + so.id, 90), 8, 2 + mod(l * 7 + so.id, 90),
                   %(product)s, so.company_id, so.currency_id, 'sale'
              FROM sale_order so, generate_series(1, %(lines)s) l
             WHERE so.name LIKE %(pattern)s
               AND so.date_order >= %(start)s AND so.date_order < %(end)s
            """,
            product=product.id,
            pattern="BENCH/%",
            lines=LINES_PER_ORDER,
            start=YEAR[0],
            end=date(YEAR[1].year + 1, 1, 1),
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE sale_order so
               SET amount_untaxed = l.amount, margin = l.margin
              FROM (SELECT order_id, SUM(price_subtotal) amount, SUM(margin) margin
                      FROM sale_order_line GROUP BY order_id) l
             WHERE l.order_id = so.id
            """
        )
    )
    # orders of the year before: amounts without lines
    cr.execute(
        SQL(
            "UPDATE sale_order SET amount_untaxed = 500, margin = 100 "
            "WHERE name LIKE %s AND amount_untaxed = 0",
            "BENCH/%",
        )
    )
    cr.execute(SQL("ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE res_partner"))
    env.invalidate_all()
    env.registry.clear_cache()
    env.cr.commit()
    print(f"generated the data in {time.time() - t0:.1f} s")

cr.execute(SQL("SELECT COUNT(*) FROM sale_order_line WHERE name = %s", "Bench line"))
print(f"{cr.fetchone()[0]} order lines, {len(users)} salespeople")

template = env.ref("key_account.key_account_kpi_template_consultant")
manager_template = env.ref("key_account.key_account_kpi_template_manager")
Scorecard = env["key_account.scorecard"]
Scorecard.search([("user_id", "in", users.ids)]).unlink()
env.flush_all()
env.invalidate_all()

for label, tmpl in (("consultant", template), ("manager", manager_template)):
    indicators = tmpl.line_ids.indicator_id
    before = cr.sql_log_count
    t0 = time.time()
    cards, skipped = Scorecard._ka_compute_scorecards(tmpl, users, *YEAR)
    env.flush_all()
    elapsed = time.time() - t0
    queries = cr.sql_log_count - before
    print(
        f"{label} template: {len(cards)} scorecards ({len(indicators)} indicators, "
        f"{len(indicators.filtered('is_available'))} available) in {elapsed:.2f} s, "
        f"{queries} queries"
    )
    # query count per indicator, for all the users at once
    for indicator in indicators.filtered("is_available"):
        env.invalidate_all()
        before = cr.sql_log_count
        t0 = time.time()
        indicator._kpi_compute(users, *YEAR)
        print(
            f"  {indicator.code:22s} {cr.sql_log_count - before:3d} queries "
            f"{time.time() - t0:6.2f} s"
        )
    print(f"  mean score: {sum(cards.mapped('score')) / len(cards):.1f}")
    Scorecard.search([("user_id", "in", users.ids)]).unlink()
    env.flush_all()
env.cr.rollback()
