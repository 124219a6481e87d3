# Benchmark of the daily pool cron: 100,000 key accounts, 1,000,000 order lines,
# in the pools of 20 sales teams (every other one with pool rules of its own).
# Run by scripts/bench.sh pool (odoo shell: `env` is given). Data is generated
# by SQL once per database; the measured run is rolled back, so it can be run
# again (KA_BENCH_KEEP=1).
# ruff: noqa: F821
import os
from datetime import timedelta

from bench_data import Bench
from bench_data import pick

from odoo import fields
from odoo.tools import SQL

PARTNERS = 100_000
ORDERS_PER_PARTNER = 2
LINES_PER_ORDER = 5
USERS = 50
TEAMS = 20

cr = env.cr
Partner = env["res.partner"]
bench = Bench(env)
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

users = bench.users("bench_pool_", USERS)
# each salesperson in one team; the even teams return after 45 days without
# follow-up and warn 5 days before (the others: the company's 30 and 7)
teams = bench.teams(
    "Bench Pool Team ",
    TEAMS,
    users,
    ka_pool_followup_days=45,
    ka_pool_warning_days=5,
)
if not bench.has_orders("BENCH/"):
    with bench.generating():
        # 80% owned; follow-ups spread over the last 31 days, owners for a year
        owned = SQL("mod(g, 10) < 8")
        companies = bench.accounts(
            "Bench Pool KA ",
            PARTNERS,
            company_id=company.id,
            ka_type_id=env.ref("key_account.key_account_type_potential").id,
            ka_grade_id=SQL(
                "jsonb_build_object(%s::text, %s)",
                company.id,
                env.ref("key_account.key_account_grade_c").id,
            ),
            user_id=SQL("CASE WHEN %s THEN %s END", owned, pick(users.ids)),
            # the team of the account's (or its would-be) owner
            ka_team_id=pick(teams.ids, SQL("mod(g, %s)", USERS)),
            ka_pool_team_id=pick(teams.ids, SQL("mod(g, %s)", USERS)),
            ka_since=SQL("%s::date - 400", today),
            ka_owner_since=SQL(
                "CASE WHEN %s THEN NOW() AT TIME ZONE 'UTC' - INTERVAL '200 days' END",
                owned,
            ),
            ka_last_contact_date=SQL("%s::date - mod(g * 7, 31)", today),
            ka_last_followup_date=SQL("%s::date - mod(g * 7, 31)", today),
            # the stored last order date, as the module keeps it (the
            # company's): see the orders below
            ka_last_order_date=SQL(
                "jsonb_build_object(%s::text, %s::date - mod(id * 13, 91))",
                company.id,
                today,
            ),
        )
        # two orders per account: the last one 0-90 days ago, the other 100
        # days before it; 5 lines each
        bench.orders(
            "BENCH/",
            PARTNERS * ORDERS_PER_PARTNER,
            companies,
            index=SQL("g / %s", ORDERS_PER_PARTNER),
            date_order=SQL(
                """(%s::date - mod(c.id * 13, 91) - mod(g, %s) * 100)::timestamp
                   + INTERVAL '10 hours'""",
                today,
                ORDERS_PER_PARTNER,
            ),
        )
        bench.lines(
            "BENCH/",
            bench.product(),
            per_order=LINES_PER_ORDER,
            qty=1,
            price=100,
        )
        bench.amounts("BENCH/")
        bench.analyze()
        # steady state: yesterday's run already warned the accounts it had to
        rows = Partner._ka_pool_candidates(today - timedelta(days=1))
        warned = [
            (row[0], row[2]) for row in rows if row[2] > today - timedelta(days=1)
        ]
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

accounts = bench.count("SELECT count(*) FROM res_partner WHERE ka_type_id IS NOT NULL")
n_teams = bench.count(
    "SELECT count(DISTINCT ka_pool_team_id) FROM res_partner "
    "WHERE ka_type_id IS NOT NULL"
)
lines = bench.count("SELECT count(*) FROM sale_order_line")
with bench.measure() as measure:
    returned, warned = Partner.with_context(
        ka_pool_autocommit=False
    )._ka_cron_pool_return()
print(
    f"pool cron: {accounts} key accounts in the pools of {n_teams} teams, "
    f"{lines} order lines: "
    f"{returned} returned, {warned} warned in {measure.seconds:.2f} s, "
    f"{measure.queries} queries"
)
cr.rollback()

# catch-up: the cron did not run for a week (about 7 times the daily work)
try:
    from freezegun import freeze_time
except ImportError:
    freeze_time = None
if freeze_time:
    profiler = None
    if os.environ.get("KA_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with bench.measure() as measure, freeze_time(today + timedelta(days=7)):
        returned, warned = Partner.with_context(
            ka_pool_autocommit=False
        )._ka_cron_pool_return()
        env.flush_all()  # on the frozen day
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(
        f"pool cron after a week without run: {returned} returned, {warned} "
        f"warned in {measure.seconds:.2f} s, {measure.queries} queries"
    )
    cr.rollback()
