from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ka_churn_months = fields.Integer(
        string="Churn After (Months Without Order)",
        config_parameter="key_account.churn_months",
        default=3,
    )
    ka_churn_lookback_months = fields.Integer(
        string="Churn Look-back (Months)",
        config_parameter="key_account.churn_lookback_months",
        default=12,
        help="Only accounts that ordered in these months before the period end "
        "can churn in it.",
    )
    ka_monthly_report_due_days = fields.Integer(
        string="Monthly Report Due (Days After Month End)",
        config_parameter="key_account.monthly_report_due_days",
        default=0,
        help="A monthly report submitted later than the month's last day plus "
        "these days is late (the department's rules: before the month's end).",
    )

    @api.constrains("ka_monthly_report_due_days")
    def _check_ka_monthly_report_due_days(self):
        if any(settings.ka_monthly_report_due_days < 0 for settings in self):
            raise ValidationError(
                self.env._(
                    "The days after the month end by which monthly reports are due "
                    "cannot be negative."
                )
            )

    def _ka_days_settings(self):
        return {
            **super()._ka_days_settings(),
            "ka_monthly_report_due_days": "key_account.monthly_report_due_days",
        }
