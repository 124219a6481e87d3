from odoo import api
from odoo import fields
from odoo import models

from ..common.key_account_number_mixin import check_numbers
from ..common.key_account_number_mixin import module_number_fields


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, vals_list, module_number_fields(self))
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, [vals], module_number_fields(self))
        return super().write(vals)

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
    ka_pool_followup_days = fields.Integer(
        related="company_id.ka_pool_followup_days", readonly=False
    )
    ka_pool_order_days = fields.Integer(
        related="company_id.ka_pool_order_days", readonly=False
    )
    ka_pool_warning_days = fields.Integer(
        related="company_id.ka_pool_warning_days", readonly=False
    )
    ka_pool_order_exempt_days = fields.Integer(
        related="company_id.ka_pool_order_exempt_days", readonly=False
    )
    ka_pool_max_owned = fields.Integer(
        related="company_id.ka_pool_max_owned", readonly=False
    )
    ka_pool_max_claims_per_day = fields.Integer(
        related="company_id.ka_pool_max_claims_per_day", readonly=False
    )
    ka_pool_cooldown_days = fields.Integer(
        related="company_id.ka_pool_cooldown_days", readonly=False
    )

    ka_commission_factor_regular = fields.Float(
        string="Target Factor: Regular",
        config_parameter="key_account.commission_factor_regular",
        default=1.0,
    )
    ka_commission_factor_probation = fields.Float(
        string="Target Factor: On Probation",
        config_parameter="key_account.commission_factor_probation",
        default=0.5,
    )
    ka_commission_factor_demoted = fields.Float(
        string="Target Factor: Demoted",
        config_parameter="key_account.commission_factor_demoted",
        default=0.7,
    )

    ka_award_weekly = fields.Monetary(
        related="company_id.ka_award_weekly", readonly=False
    )
    ka_award_monthly = fields.Monetary(
        related="company_id.ka_award_monthly", readonly=False
    )
    ka_penalty_factor = fields.Float(
        related="company_id.ka_penalty_factor", readonly=False
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

    # ---- ADDED by the engagement branch: visits, receptions, gifts ------------------

    ka_visit_followup_days = fields.Integer(
        string="Follow-up After a Visit (days)",
        config_parameter="key_account.visit_followup_days",
        default=7,
    )
    ka_dining_cap_high = fields.Monetary(
        related="company_id.ka_dining_cap_high", readonly=False
    )
    ka_dining_cap_middle = fields.Monetary(
        related="company_id.ka_dining_cap_middle", readonly=False
    )
    ka_dining_cap_low = fields.Monetary(
        related="company_id.ka_dining_cap_low", readonly=False
    )
