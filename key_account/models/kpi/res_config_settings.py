from odoo import fields
from odoo import models


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
