# Health score benchmark: 100,000 key accounts with orders over 15 months,
# follow-ups, file completeness and open complaints, scored by the daily cron.
#
#   scripts/bench.sh health
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it and only times the cron.
from bench_data import Bench
from bench_data import pick

from odoo.tools import SQL

N_ACCOUNTS = 100_000
N_ORDERS = 400_000
N_COMPLAINTS = 20_000
DAYS = 456  # about 15 months of orders
PREFIX = "Bench Health "

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"].with_context(active_test=False)
bench = Bench(env)
company = env.company
risk_type = env.ref("key_account.mail_activity_type_ka_health")

if not bench.has_orders("BHEALTH/"):
    with bench.generating():
        users = bench.users("bench_health_", 50)
        grades = env["key_account.grade"].search([("company_id", "in", [False])]).ids
        accounts = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=env.ref("key_account.key_account_type_strategic").id,
            ka_grade_id=SQL(
                "jsonb_build_object(%s::text, %s)", company.id, pick(grades)
            ),
            user_id=pick(users.ids),
            ka_since=SQL("CURRENT_DATE - 500"),
            # follow-ups from today to 90 days ago; completeness in steps
            ka_last_contact_date=SQL("CURRENT_DATE - mod(g * 7, 91)"),
            ka_last_followup_date=SQL("CURRENT_DATE - mod(g * 7, 91)"),
            ka_file_completeness=SQL("mod(g, 5) * 25"),
        )
        # orders over 15 months; every fifth account stopped ordering half a
        # year ago (its sales trend falls), every 20th never ordered
        product = bench.product("Bench health product")
        bench.orders(
            "BHEALTH/",
            N_ORDERS,
            accounts,
            where=SQL("mod(c.id, 20) != 3"),
            user_id=SQL("c.user_id"),
            date_order=SQL(
                """NOW() AT TIME ZONE 'UTC' - CASE
                       WHEN mod(c.id, 5) = 0
                       THEN (190 + mod(g * 13, %(days)s - 190)) * INTERVAL '1 day'
                       ELSE mod(g * 13, %(days)s) * INTERVAL '1 day' END""",
                days=DAYS,
            ),
        )
        bench.lines(
            "BHEALTH/",
            product,
            per_order=1,
            qty=1,
            price=SQL("100 + mod(so.id, 50) * 20"),
        )
        bench.amounts("BHEALTH/")
        # open complaints on some accounts
        cr.execute(
            SQL(
                """
                INSERT INTO key_account_feedback
                       (name, feedback_type, partner_id, company_id, user_id,
                        received_date, answer_due, state, satisfaction,
                        answered_in_time, create_uid, create_date, write_uid,
                        write_date)
                SELECT 'Bench complaint ' || g, 'complaint', p.id, %(company)s,
                       p.user_id, NOW() AT TIME ZONE 'UTC' - INTERVAL '2 days',
                       NOW() AT TIME ZONE 'UTC' - INTERVAL '1 day', 'open', 0,
                       FALSE, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM generate_series(0, %(n)s - 1) g
                  JOIN res_partner p
                    ON p.id = (%(ids)s::int[])[1 + mod(g * 37, %(count)s)]
                """,
                company=company.id,
                uid=env.uid,
                n=N_COMPLAINTS,
                ids=accounts,
                count=len(accounts),
            )
        )
        cr.execute(SQL("ANALYZE key_account_feedback"))
        bench.analyze()

accounts = Partner.search([("name", "=like", PREFIX + "%"), ("is_company", "=", True)])
n_orders = bench.count(
    "SELECT COUNT(*) FROM sale_order WHERE name LIKE %s", "BHEALTH/%"
)
print(f"data: {len(accounts)} key accounts, {n_orders} confirmed orders")


def reset():
    """Forget the scores and the activities: the next run scores all."""
    cr.execute(
        SQL(
            """DELETE FROM key_account_health;
               DELETE FROM mail_activity WHERE activity_type_id = %s""",
            risk_type.id,
        )
    )
    cr.commit()
    env.invalidate_all()


reset()
results = []
for run in (1, 2):
    with bench.measure() as measure:
        fallen = Partner._ka_cron_health()
    cr.commit()
    results.append(measure.seconds)
    print(
        f"health run {run}: {len(accounts)} accounts scored in "
        f"{measure.seconds:.1f} s, "
        f"{measure.queries} queries, {len(fallen)} fell at risk (an activity each)"
    )
cr.execute(
    SQL(
        """SELECT band, COUNT(*), ROUND(AVG(score))
             FROM key_account_health WHERE partner_id = ANY(%s)
         GROUP BY 1 ORDER BY 1""",
        accounts.ids,
    )
)
print("bands:", ", ".join(f"{b}: {n} (avg {s})" for b, n, s in cr.fetchall()))
first = results[0]
verdict = "OK" if max(results) < 30 else "TOO SLOW"
print(f"RESULT health_seconds={first:.1f} (target < 30 s): {verdict}")
