from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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

    # ---- ADDED by the engagement branch: visits, receptions, gifts ------------------

    ka_visit_followup_days = fields.Integer(
        string="Follow-up After a Visit (days)",
        config_parameter="key_account.visit_followup_days",
        default=7,
    )
    ka_dining_cap_high = fields.Float(
        string="High-grade Dining Cap per Guest",
        config_parameter="key_account.dining_cap_high",
    )
    ka_dining_cap_middle = fields.Float(
        string="Middle-grade Dining Cap per Guest",
        config_parameter="key_account.dining_cap_middle",
    )
    ka_dining_cap_low = fields.Float(
        string="Low-grade Dining Cap per Guest",
        config_parameter="key_account.dining_cap_low",
    )
