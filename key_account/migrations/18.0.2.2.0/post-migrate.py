"""18.0.2.2.0: the record rule of the account teams for the owner reads the
members' stored ``owner_id`` (the rule is noupdate: rewritten here), not a
subquery on the partners that scanned all of them once joined with the
members' rule."""

from odoo.tools import SQL


def migrate(cr, version):
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
