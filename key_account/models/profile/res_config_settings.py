from odoo import models


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "key_account.number.mixin"]
    _ka_own_numbers_only = True

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
