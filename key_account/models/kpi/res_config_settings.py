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
    ka_monthly_report_reminder_days = fields.Integer(
        string="Monthly Report Reminder (Days Before Deadline)",
        config_parameter="key_account.monthly_report_reminder_days",
        default=3,
        help="This many days before a monthly report's deadline, a salesperson "
        "who owns key accounts and has not submitted it gets a reminder.",
    )

    ka_request_large_days = fields.Integer(
        string="Large Requests Due (Days)",
        config_parameter="key_account.request_large_days",
        default=3,
        help="Days after the day of a large analysis or support request by "
        "which the assistant completes it (the department's rules: 3).",
    )
    ka_request_small_days = fields.Integer(
        string="Small Requests Due (Days)",
        config_parameter="key_account.request_small_days",
        default=1,
        help="Days after the day of a small request by which the assistant "
        "completes it (the department's rules: 1).",
    )

    @api.constrains("ka_request_large_days", "ka_request_small_days")
    def _check_ka_request_days(self):
        if any(
            settings.ka_request_large_days < 0 or settings.ka_request_small_days < 0
            for settings in self
        ):
            raise ValidationError(
                self.env._("The days by which requests are due cannot be negative.")
            )

    @api.constrains("ka_monthly_report_due_days", "ka_monthly_report_reminder_days")
    def _check_ka_monthly_report_due_days(self):
        if any(
            settings.ka_monthly_report_due_days < 0
            or settings.ka_monthly_report_reminder_days < 0
            for settings in self
        ):
            raise ValidationError(
                self.env._(
                    "The days by which monthly reports are due or reminded cannot "
                    "be negative."
                )
            )

    def _ka_days_settings(self):
        return {
            **super()._ka_days_settings(),
            "ka_monthly_report_due_days": "key_account.monthly_report_due_days",
            "ka_monthly_report_reminder_days": (
                "key_account.monthly_report_reminder_days"
            ),
            "ka_request_large_days": "key_account.request_large_days",
            "ka_request_small_days": "key_account.request_small_days",
        }
