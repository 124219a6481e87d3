"""18.0.2.2.0:

- the record rule of the account teams for the owner reads the members'
  stored ``owner_id`` (the rule is noupdate: rewritten here), not a subquery
  on the partners that scanned all of them once joined with the members'
  rule;
- monthly reports keep when they were submitted (``submitted_date``), which
  says whether they were on time. A report submitted before this version was
  submitted when its status last changed (its tracking in the chatter), else
  when it was last written; its submission day is that moment's day in its
  salesperson's time zone."""

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo.tools import SQL


def migrate(cr, version):
    _team_owner_rule(cr)
    _submitted_reports(cr)


def _team_owner_rule(cr):
    cr.execute(
        SQL(
            """
            UPDATE ir_rule r
               SET domain_force = %s
              FROM ir_model_data d
             WHERE d.model = 'ir.rule' AND d.res_id = r.id
               AND d.module = 'key_account'
               AND d.name = 'key_account_team_member_rule_user'
            """,
            "[('owner_id', '=', user.id)]",
        )
    )


def _submitted_reports(cr):
    cr.execute(
        SQL(
            """
        UPDATE key_account_monthly_report r
           SET submitted_date = COALESCE(
                   (SELECT MAX(m.date)
                      FROM mail_message m
                      JOIN mail_tracking_value v ON v.mail_message_id = m.id
                      JOIN ir_model_fields f ON f.id = v.field_id
                     WHERE m.model = 'key_account.monthly.report'
                       AND m.res_id = r.id
                       AND f.model = 'key_account.monthly.report'
                       AND f.name = 'state'),
                   r.write_date)
         WHERE r.state = 'submitted' AND r.submitted_date IS NULL
            """
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    reports = env["key_account.monthly.report"].search(
        [("state", "=", "submitted"), ("submitted_day", "=", False)]
    )
    for report in reports:
        report._ka_workflow_write(
            {
                "submitted_day": fields.Datetime.context_timestamp(
                    report.with_context(tz=report.user_id.tz or "UTC"),
                    report.submitted_date,
                ).date()
            }
        )
