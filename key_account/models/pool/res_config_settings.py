from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ka_pool_followup_days = fields.Integer(
        related="company_id.ka_pool_followup_days", readonly=False
    )
    ka_pool_order_days = fields.Integer(
        related="company_id.ka_pool_order_days", readonly=False
    )
    ka_pool_warning_days = fields.Integer(
        related="company_id.ka_pool_warning_days", readonly=False
    )
    ka_pool_default_team_id = fields.Many2one(
        related="company_id.ka_pool_default_team_id", readonly=False
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
