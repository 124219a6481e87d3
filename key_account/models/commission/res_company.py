from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    # commissions: awards and the fraud penalty (the source documents: 200, 300, 10x)
    ka_award_weekly = fields.Monetary(string="Weekly Champion Award", default=200.0)
    ka_award_monthly = fields.Monetary(string="Monthly Champion Award", default=300.0)
    ka_penalty_factor = fields.Float(
        string="Penalty (times the award)",
        default=10.0,
        help="A penalty for fraud on an award is this many times the award.",
    )
