# Follow-up cadence cron on generated key accounts (run by scripts/bench.sh
# inside `odoo shell`, where `env` is given). Data is generated with SQL.
import time

from bench_data import Bench
from bench_data import pick

from odoo.tools import SQL

N_ACCOUNTS = 20_000
env = env  # noqa: F821 (odoo shell global)
cr = env.cr
Partner = env["res.partner"]
bench = Bench(env)

grades = env["key_account.grade"].search([("visit_interval_days", ">", 0)])
users = env["res.users"].search([("share", "=", False)], limit=5)
cr.execute(
    SQL(
        """DELETE FROM mail_activity
            WHERE res_model = 'res.partner' AND activity_type_id = %s;
           DELETE FROM res_partner WHERE name LIKE %s""",
        env.ref("key_account.mail_activity_type_ka_followup").id,
        "Bench KA %",
    )
)
bench.accounts(
    "Bench KA ",
    N_ACCOUNTS,
    ka_type_id=env.ref("key_account.key_account_type_strategic").id,
    ka_grade_id=SQL(
        "jsonb_build_object(%s::text, %s)",
        Partner._ka_scheduler_company().id,
        pick(grades.ids),
    ),
    user_id=pick(users.ids),
    ka_since=SQL("CURRENT_DATE - 400"),
    ka_last_contact_date=SQL("CURRENT_DATE - mod(g, 40)"),
    ka_last_visit_date=SQL("CURRENT_DATE - mod(g, 60)"),
)
accounts = Partner.search([("name", "like", "Bench KA ")])
t0 = time.time()
env.add_to_compute(Partner._fields["ka_next_followup_date"], accounts)
accounts._recompute_recordset(
    ["ka_next_visit_date", "ka_next_contact_date", "ka_next_followup_date"]
)
env.flush_all()
print(f"next due dates of {len(accounts)} accounts computed in {time.time() - t0:.2f}s")

for run in (1, 2):
    with bench.measure() as measure:
        created = Partner._ka_cron_followup()
    print(
        f"cron run {run}: {len(created)} activities created in "
        f"{measure.seconds:.2f}s, {measure.queries} queries"
    )

t0 = time.time()
overdue = Partner.search_count([("ka_followup_overdue", "=", True)])
print(f"search overdue: {overdue} accounts in {time.time() - t0:.3f}s")
cr.rollback()
