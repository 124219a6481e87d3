from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class KeyAccountType(models.Model):
    _name = "key_account.type"
    _inherit = ["key_account.code.mixin", "key_account.number.mixin"]
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A type in use is archived, not deleted: its accounts (archived ones
        too) would silently stop being key accounts."""
        counts = dict(
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([("ka_type_id", "in", self.ids)], ["ka_type_id"], ["__count"])
        )
        for ka_type in self:
            if counts.get(ka_type):
                raise UserError(
                    self.env._(
                        "The key-account type %(type)s is used by %(count)s "
                        "accounts: deleting it would make them ordinary "
                        "customers. Archive it instead.",
                        type=ka_type.name,
                        count=counts[ka_type],
                    )
                )
