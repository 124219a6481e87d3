"""18.0.2.1.0: visits and receptions keep the cost their approval chain
approved (``amount_approved``), the ceiling of the expenses claimed: the
requests approved before this version approved their planned cost."""

from odoo.tools import SQL


def migrate(cr, version):
    for table in ("key_account_visit", "key_account_reception"):
        cr.execute(
            SQL(
                """
            UPDATE %s
               SET amount_approved = amount_planned
             WHERE state IN ('approved', 'done', 'closed')
               AND amount_approved IS NULL
            """,
                SQL.identifier(table),
            )
        )
