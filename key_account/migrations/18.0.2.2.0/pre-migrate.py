"""18.0.2.2.0: the relationship map leaves the Key Account tab of the partner
form for a stat button. The account capability's form view, still the former
one in the database when the profile's is updated, places its attributes on
the inline map the profile's view no longer has: Odoo would refuse the
profile's view. It is emptied here, then loaded again from its file."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            UPDATE ir_ui_view v
               SET arch_db = %s::jsonb
              FROM ir_model_data d
             WHERE d.model = 'ir.ui.view' AND d.res_id = v.id
               AND d.module = 'key_account'
               AND d.name = 'res_partner_view_form_account'
            """,
            '{"en_US": "<data/>"}',
        )
    )
