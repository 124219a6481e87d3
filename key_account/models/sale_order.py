from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools.sql import column_exists
from odoo.tools.sql import create_column


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ka_commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Key Account Company",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        help="The company the order counts for: its customer's commercial partner.",
    )

    def _auto_init(self):
        # Fill the new column in one statement rather than through the ORM, so
        # that installing on a database with many orders stays fast.
        if not column_exists(self.env.cr, self._table, "ka_commercial_partner_id"):
            create_column(self.env.cr, self._table, "ka_commercial_partner_id", "int4")
            self.env.cr.execute(
                SQL(
                    """UPDATE sale_order so
                          SET ka_commercial_partner_id = p.commercial_partner_id
                         FROM res_partner p
                        WHERE p.id = so.partner_id"""
                )
            )
        return super()._auto_init()
