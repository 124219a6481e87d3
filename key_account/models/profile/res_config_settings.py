from odoo import fields
from odoo import models

from .key_account_access_log import EXPORT_ALERT_DEFAULT
from .key_account_access_log import EXPORT_ALERT_KEY
from .key_account_access_log import RETENTION_DEFAULT
from .key_account_access_log import RETENTION_KEY


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

    ka_access_log_months = fields.Integer(
        string="Access Log Kept (Months)",
        config_parameter=RETENTION_KEY,
        default=RETENTION_DEFAULT,
        help="Lines of the customer-file access log older than this are "
        "deleted every day (0: kept for ever).",
    )
    ka_export_alert_accounts = fields.Integer(
        string="Large Export (Accounts)",
        config_parameter=EXPORT_ALERT_KEY,
        default=EXPORT_ALERT_DEFAULT,
        help="An export of the customer files of more key accounts than this "
        "notifies the Key Account managers.",
    )

    def _ka_days_settings(self):
        return {
            **super()._ka_days_settings(),
            "ka_access_log_months": RETENTION_KEY,
            "ka_export_alert_accounts": EXPORT_ALERT_KEY,
        }

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
