from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ka_feedback_hours_complaint = fields.Integer(
        string="Hours to Answer a Complaint",
        config_parameter="key_account.feedback_hours_complaint",
        default=24,
    )
    ka_feedback_hours_suggestion = fields.Integer(
        string="Hours to Answer a Suggestion",
        config_parameter="key_account.feedback_hours_suggestion",
        default=72,
    )
    ka_feedback_hours_praise = fields.Integer(
        string="Hours to Answer a Praise",
        config_parameter="key_account.feedback_hours_praise",
        default=72,
    )

    ka_visit_followup_days = fields.Integer(
        string="Follow-up After a Visit (days)",
        config_parameter="key_account.visit_followup_days",
        default=7,
    )
    ka_greeting_days = fields.Integer(
        string="Greetings Ahead (days)",
        config_parameter="key_account.greeting_days",
        default=3,
        help="Birthdays, holidays and key-account anniversaries give the owner "
        "an activity this many days ahead (0: on the day).",
    )
    ka_dining_cap_high = fields.Monetary(
        related="company_id.ka_dining_cap_high", readonly=False
    )
    ka_expense_tolerance = fields.Float(
        related="company_id.ka_expense_tolerance", readonly=False
    )
    ka_dining_cap_middle = fields.Monetary(
        related="company_id.ka_dining_cap_middle", readonly=False
    )
    ka_dining_cap_low = fields.Monetary(
        related="company_id.ka_dining_cap_low", readonly=False
    )

    def _ka_days_settings(self):
        return {
            **super()._ka_days_settings(),
            "ka_greeting_days": "key_account.greeting_days",
        }
