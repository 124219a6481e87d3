from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "key_account.number.mixin"]
    _ka_own_numbers_only = True

    ka_grade_basis = fields.Selection(
        related="company_id.ka_grade_basis", readonly=False, required=True
    )
    ka_definition_sales = fields.Monetary(
        related="company_id.ka_definition_sales", readonly=False
    )
    ka_definition_margin_share = fields.Float(
        related="company_id.ka_definition_margin_share", readonly=False
    )

    def action_ka_regrade_all(self):
        """Settings button: re-grade every key account now."""
        self.env["res.partner"].browse().action_ka_regrade()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Every key account was re-graded."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
