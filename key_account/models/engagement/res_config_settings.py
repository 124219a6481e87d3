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
