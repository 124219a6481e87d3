from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


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
    ka_visit_record_hours = fields.Integer(
        string="Visit Record Due (Hours)",
        config_parameter="key_account.visit_record_hours",
        default=24,
        help="Hours after a visit's planned end by which it is marked done with "
        "its record; later ones are late (the rules: within 24 hours).",
    )

    ka_deal_revisit_days = fields.Integer(
        string="Revisit After a Deal (Days)",
        config_parameter="key_account.deal_revisit_days",
        default=30,
        help="Days after a confirmed order on a key account by which its owner "
        "visits or contacts it again; later ones are late (the rules: within a "
        "month).",
    )

    @api.constrains("ka_visit_record_hours")
    def _check_ka_visit_record_hours(self):
        if any(settings.ka_visit_record_hours < 0 for settings in self):
            raise ValidationError(
                self.env._("The hours by which a visit is recorded cannot be negative.")
            )

    @api.constrains("ka_deal_revisit_days")
    def _check_ka_deal_revisit_days(self):
        if any(settings.ka_deal_revisit_days < 0 for settings in self):
            raise ValidationError(
                self.env._("The days of the revisit after a deal cannot be negative.")
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
            "ka_visit_record_hours": "key_account.visit_record_hours",
            "ka_deal_revisit_days": "key_account.deal_revisit_days",
            "ka_greeting_days": "key_account.greeting_days",
        }
