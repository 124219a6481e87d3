# Follow-up cadence cron on generated key accounts (run by scripts/bench.sh
# inside `odoo shell`, where `env` is given). Data is generated with SQL.
import time

from odoo.tools import SQL

N_ACCOUNTS = 20_000
cr = env.cr  # noqa: F821 - given by odoo shell
Partner = env["res.partner"]  # noqa: F821

grades = env["key_account.grade"].search([("visit_interval_days", ">", 0)])  # noqa: F821
grade_type = env.ref("key_account.key_account_type_strategic")  # noqa: F821
users = env["res.users"].search([("share", "=", False)], limit=5)  # noqa: F821
cr.execute(
    SQL(
        """
        DELETE FROM mail_activity
         WHERE res_model = 'res.partner'
           AND activity_type_id = %(type)s;
        DELETE FROM res_partner WHERE name LIKE %(pattern)s;
        INSERT INTO res_partner (name, complete_name, active, is_company, type,
                                 ka_type_id, ka_grade_id, user_id, ka_since,
                                 ka_last_contact_date, ka_last_visit_date,
                                 create_date, write_date, autopost_bills)
        SELECT 'Bench KA ' || i, 'Bench KA ' || i, true, true, 'contact',
               %(ka_type)s,
               jsonb_build_object(%(company)s::text,
                                  (%(grades)s)[1 + mod(i, cardinality(%(grades)s))]),
               (%(users)s)[1 + mod(i, cardinality(%(users)s))],
               CURRENT_DATE - 400,
               CURRENT_DATE - mod(i, 40), CURRENT_DATE - mod(i, 60),
               now(), now(), 'ask'
          FROM generate_series(1, %(n)s) i
        """,
        type=env.ref("key_account.mail_activity_type_ka_followup").id,  # noqa: F821
        ka_type=grade_type.id,
        company=Partner._ka_scheduler_company().id,
        grades=grades.ids,
        users=users.ids,
        n=N_ACCOUNTS,
        pattern="Bench KA %",
    )
)
accounts = Partner.search([("name", "like", "Bench KA ")])
t0 = time.time()
env.add_to_compute(Partner._fields["ka_next_followup_date"], accounts)  # noqa: F821
accounts._recompute_recordset(
    ["ka_next_visit_date", "ka_next_contact_date", "ka_next_followup_date"]
)
env.flush_all()  # noqa: F821
print(f"next due dates of {len(accounts)} accounts computed in {time.time() - t0:.2f}s")

for run in (1, 2):
    env.invalidate_all()  # noqa: F821
    q0 = cr.sql_log_count
    t0 = time.time()
    created = Partner._ka_cron_followup()
    env.flush_all()  # noqa: F821
    print(
        f"cron run {run}: {len(created)} activities created in "
        f"{time.time() - t0:.2f}s, {cr.sql_log_count - q0} queries"
    )

t0 = time.time()
overdue = Partner.search_count([("ka_followup_overdue", "=", True)])
print(f"search overdue: {overdue} accounts in {time.time() - t0:.3f}s")
cr.rollback()
