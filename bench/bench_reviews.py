# Quarterly reviews: 100,000 key accounts with orders over the last two
# quarters, rated feedback and open complaints; the quarterly cron makes a
# draft review with its figures for each of them.
#
#   KA_BENCH_DB=ka_bench_reviews scripts/bench.sh reviews
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it and only times the cron
# (the reviews of the quarter are deleted before each run). Prints a
# fingerprint of the reviews' figures: two versions of the code that compute
# the same reviews print the same one.
from bench_data import Bench
from bench_data import pick
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools import SQL

N_ACCOUNTS = 100_000
N_ORDERS = 400_000
N_FEEDBACK = 60_000
PREFIX = "Bench Review "
GOAL = 30  # seconds

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"].with_context(active_test=False)
Review = env["key_account.review"]
bench = Bench(env)
company = env.company
today = fields.Date.context_today(Review)
# the quarter the cron reviews, and the one before (its previous figures)
q_start = today.replace(month=today.month - (today.month - 1) % 3, day=1)
q_start -= relativedelta(months=3)
prev_start = q_start - relativedelta(months=3)

if not bench.has_orders("BREVIEW/"):
    with bench.generating():
        users = bench.users("bench_review_", 50)
        accounts = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=env.ref("key_account.key_account_type_strategic").id,
            user_id=pick(users.ids),
            ka_since=SQL("CURRENT_DATE - 500"),
        )
        # orders over the two quarters (the older half the previous one);
        # every 10th account ordered nothing
        product = bench.product("Bench review product")
        bench.orders(
            "BREVIEW/",
            N_ORDERS,
            accounts,
            where=SQL("mod(c.id, 10) != 3"),
            date_order=SQL(
                "%s::timestamp + mod(g * 13, 180) * INTERVAL '1 day' "
                "+ INTERVAL '10 hours'",
                prev_start,
            ),
        )
        bench.lines(
            "BREVIEW/",
            product,
            per_order=1,
            qty=1,
            price=SQL("100 + mod(so.id, 50) * 20"),
            purchase_price=SQL("60 + mod(so.id, 40) * 10"),
            margin=SQL("40 + mod(so.id, 50) * 20 - mod(so.id, 40) * 10"),
        )
        bench.amounts("BREVIEW/")
        # rated feedback in the quarter, and complaints (some answered)
        cr.execute(
            SQL(
                """
                INSERT INTO key_account_feedback
                       (name, feedback_type, partner_id, company_id, user_id,
                        received_date, answered_date, answer_due, state,
                        satisfaction, answered_in_time, create_uid, create_date,
                        write_uid, write_date)
                SELECT 'Bench feedback ' || g,
                       CASE WHEN mod(g, 3) = 0 THEN 'complaint' ELSE 'praise' END,
                       p.id, %(company)s, p.user_id,
                       %(start)s::timestamp + mod(g, 80) * INTERVAL '1 day',
                       CASE WHEN mod(g, 6) = 0
                            THEN %(start)s::timestamp
                                 + (mod(g, 80) + 1) * INTERVAL '1 day' END,
                       %(start)s::timestamp + (mod(g, 80) + 2) * INTERVAL '1 day',
                       CASE WHEN mod(g, 6) = 0 THEN 'answered' ELSE 'open' END,
                       mod(g, 6), FALSE, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM generate_series(0, %(n)s - 1) g
                  JOIN res_partner p
                    ON p.id = (%(ids)s::int[])[1 + mod(g * 37, %(count)s)]
                """,
                company=company.id,
                uid=env.uid,
                start=q_start,
                n=N_FEEDBACK,
                ids=accounts,
                count=len(accounts),
            )
        )
        cr.execute(SQL("ANALYZE key_account_feedback"))
        bench.analyze()

accounts = Partner.search([("name", "=like", PREFIX + "%"), ("is_company", "=", True)])
n_orders = bench.count(
    "SELECT COUNT(*) FROM sale_order WHERE name LIKE %s", "BREVIEW/%"
)
print(
    f"data: {len(accounts)} key accounts, {n_orders} confirmed orders; "
    f"reviews of the quarter from {q_start}"
)


def reset():
    """Delete the reviews of the quarter: the cron makes them all again."""
    cr.execute(
        SQL(
            """DELETE FROM mail_followers WHERE res_model = 'key_account.review';
               DELETE FROM key_account_review WHERE date_from = %s""",
            q_start,
        )
    )
    cr.commit()
    # as a real quarter finds it: no dead reviews of the same accounts left
    # in the table and its unique index by earlier runs
    cr._cnx.autocommit = True
    try:
        cr.execute(SQL("VACUUM ANALYZE key_account_review"))
    finally:
        cr._cnx.autocommit = False
    env.invalidate_all()


def fingerprint():
    """An md5 of every figure of every review of the quarter, and totals."""
    cr.execute(
        SQL(
            """
            SELECT COUNT(*), md5(string_agg(concat_ws(',', partner_id,
                       company_id, user_id, state, name, quarter, date_to,
                       ROUND(sales, 2), ROUND(margin, 2), margin_share,
                       ROUND(previous_sales, 2), ROUND(previous_margin, 2),
                       previous_margin_share, satisfaction, satisfaction_count,
                       open_complaint_count, ROUND(engagement_cost, 2),
                       health_score, computed_date),
                       ';' ORDER BY partner_id, company_id)),
                   ROUND(SUM(sales), 2), ROUND(SUM(margin), 2),
                   SUM(open_complaint_count), SUM(satisfaction_count)
              FROM key_account_review WHERE date_from = %s
            """,
            q_start,
        )
    )
    return cr.fetchone()


reset()
with bench.measure() as measure:
    reviews = Review._ka_cron_quarterly_reviews()
cr.commit()
seconds = measure.seconds
count, digest, sales, margin, complaints, scores = fingerprint()
print(
    f"quarterly reviews: {len(reviews)} made in {seconds:.1f} s, "
    f"{measure.queries} queries"
)
print(
    f"reviews {count}: sales {sales:,.2f}, margin {margin:,.2f}, "
    f"{scores} scores, {complaints} open complaints; figures md5 {digest}"
)
# the cron again: the reviews exist, none is made
with bench.measure() as again:
    Review._ka_cron_quarterly_reviews()
cr.commit()
print(f"again (all made): {again.seconds:.1f} s, {again.queries} queries")
assert count >= len(accounts), (count, len(accounts))
verdict = "OK" if seconds < GOAL else "TOO SLOW"
print(f"RESULT reviews_seconds={seconds:.1f} (target < {GOAL} s): {verdict}")
