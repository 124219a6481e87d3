# Benchmark of the daily pool cron: 100,000 key accounts, 1,000,000 order lines.
# Run by scripts/bench.sh pool (odoo shell: `env` is given). Data is generated
# by SQL once per database; the measured run is rolled back, so it can be run
# again (KA_BENCH_KEEP=1).
# ruff: noqa: F821
import os
import time
from datetime import timedelta

import odoo
from odoo import Command
from odoo import fields
from odoo.tools import SQL

PARTNERS = 100_000
ORDERS_PER_PARTNER = 2
LINES_PER_ORDER = 5
USERS = 50

cr = env.cr
Partner = env["res.partner"]
today = fields.Date.context_today(Partner)
company = env.company
company.write(
    {
        "ka_pool_followup_days": 30,
        "ka_pool_order_days": 90,
        "ka_pool_warning_days": 7,
        "ka_pool_order_exempt_days": 30,
    }
)

cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE 'Bench Pool KA %'")
if cr.fetchone()[0] < PARTNERS:
    t0 = time.time()
    group = env.ref("key_account.group_key_account_user")
    users = env["res.users"].search([("login", "like", "bench_pool_%")])
    if not users:
        users = (
            env["res.users"]
            .with_context(no_reset_password=True, mail_create_nosubscribe=True)
            .create(
                [
                    {
                        "name": f"Bench Salesperson {i}",
                        "login": f"bench_pool_{i}",
                        "groups_id": [Command.set(group.ids)],
                    }
                    for i in range(USERS)
                ]
            )
        )
    potential = env.ref("key_account.key_account_type_potential")
    grade = env.ref("key_account.key_account_grade_c")
    # 80% owned; follow-ups spread over the last 31 days, owners for a year
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner
                   (id, commercial_partner_id, name, complete_name, active,
                    is_company, type, autopost_bills, company_id, ka_type_id,
                    ka_grade_id, ka_grade_locked, user_id, ka_since,
                    ka_owner_since, ka_last_contact_date, ka_last_followup_date,
                    ka_last_order_date, create_date, write_date, create_uid, write_uid)
            SELECT s.id, s.id, 'Bench Pool KA ' || i, 'Bench Pool KA ' || i,
                   true, true, 'contact', 'ask', %(company)s, %(type)s,
                   jsonb_build_object(%(company)s::text, %(grade)s), NULL,
                   CASE WHEN mod(i, 10) < 8
                        THEN (%(users)s::int[])[1 + mod(i, %(nusers)s)] END,
                   %(today)s::date - 400,
                   CASE WHEN mod(i, 10) < 8
                        THEN now() at time zone 'UTC' - interval '200 days' END,
                   %(today)s::date - mod(i * 7, 31),
                   %(today)s::date - mod(i * 7, 31),
                   -- the stored last order date, as the module keeps it
                   -- (the company's): see the orders below
                   jsonb_build_object(%(company)s::text,
                                      %(today)s::date - mod(s.id * 13, 91)),
                   now() at time zone 'UTC', now() at time zone 'UTC', 1, 1
              FROM (SELECT nextval('res_partner_id_seq')::int AS id, i
                      FROM generate_series(1, %(n)s) i) s
            """,
            company=company.id,
            type=potential.id,
            grade=grade.id,
            users=users.ids,
            nusers=len(users),
            today=today,
            n=PARTNERS,
        )
    )
    # two orders per account: the last one 0-90 days ago, the other 100 days
    # before it; 5 lines each
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order
                   (name, company_id, partner_id, partner_invoice_id,
                    partner_shipping_id, ka_commercial_partner_id, date_order,
                    state, amount_untaxed, currency_rate, create_date,
                    write_date, create_uid, write_uid)
            SELECT 'BENCH/' || p.id || '/' || k, %(company)s, p.id, p.id, p.id,
                   p.id,
                   (%(today)s::date - mod(p.id * 13, 91) - k * 100)::timestamp
                       + interval '10 hours',
                   'sale', 500, 1, now() at time zone 'UTC',
                   now() at time zone 'UTC', 1, 1
              FROM res_partner p
             CROSS JOIN generate_series(0, %(orders)s - 1) k
             WHERE p.name LIKE %(pattern)s
            """,
            pattern="Bench Pool KA %",
            company=company.id,
            today=today,
            orders=ORDERS_PER_PARTNER,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line
                   (order_id, name, product_uom_qty, price_unit, customer_lead,
                    company_id, state, create_date, write_date, create_uid,
                    write_uid)
            SELECT so.id, 'Bench line', 1, 100, 0, so.company_id, 'sale',
                   so.create_date, so.create_date, 1, 1
              FROM sale_order so
             CROSS JOIN generate_series(1, %(lines)s)
             WHERE so.name LIKE %(pattern)s
            """,
            pattern="BENCH/%",
            lines=LINES_PER_ORDER,
        )
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE sale_order")
    cr.execute("ANALYZE sale_order_line")
    env.invalidate_all()
    # steady state: yesterday's run already warned the accounts it had to
    rows = Partner._ka_pool_candidates(today - timedelta(days=1))
    warned = [(row[0], row[2]) for row in rows if row[2] > today - timedelta(days=1)]
    if warned:
        cr.execute(
            SQL(
                """
                UPDATE res_partner p SET ka_pool_warning_date = w.due
                  FROM unnest(%s::int[], %s::date[]) AS w(id, due)
                 WHERE p.id = w.id
                """,
                [w[0] for w in warned],
                [w[1] for w in warned],
            )
        )
    cr.commit()
    print(f"generated the data in {time.time() - t0:.1f} s")

cr.execute("SELECT count(*) FROM res_partner WHERE ka_type_id IS NOT NULL")
accounts = cr.fetchone()[0]
cr.execute("SELECT count(*) FROM sale_order_line")
lines = cr.fetchone()[0]
env.invalidate_all()
queries = odoo.sql_db.sql_counter
t0 = time.time()
returned, warned = Partner.with_context(ka_pool_autocommit=False)._ka_cron_pool_return()
Partner.env.flush_all()
elapsed = time.time() - t0
queries = odoo.sql_db.sql_counter - queries
print(
    f"pool cron: {accounts} key accounts, {lines} order lines: "
    f"{returned} returned, {warned} warned in {elapsed:.2f} s, {queries} queries"
)
cr.rollback()

# catch-up: the cron did not run for a week (about 7 times the daily work)
try:
    from freezegun import freeze_time
except ImportError:
    freeze_time = None
if freeze_time:
    env.invalidate_all()
    queries = odoo.sql_db.sql_counter
    t0 = time.time()
    profiler = None
    if os.environ.get("KA_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with freeze_time(today + timedelta(days=7)):
        returned, warned = Partner.with_context(
            ka_pool_autocommit=False
        )._ka_cron_pool_return()
        Partner.env.flush_all()
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    elapsed = time.time() - t0
    queries = odoo.sql_db.sql_counter - queries
    print(
        f"pool cron after a week without run: {returned} returned, {warned} "
        f"warned in {elapsed:.2f} s, {queries} queries"
    )
    cr.rollback()
