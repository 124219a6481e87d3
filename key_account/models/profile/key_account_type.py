from odoo import fields
from odoo import models


class KeyAccountType(models.Model):
    _name = "key_account.type"
    _inherit = ["key_account.code.mixin"]
    _description = "Key Account Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(compute="_compute_partner_count")

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("ka_type_id", "in", self.ids)], ["ka_type_id"], ["__count"]
            )
        )
        for ka_type in self:
            ka_type.partner_count = counts.get(ka_type, 0)
