from odoo import fields
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    ka_commission_plan_id = fields.Many2one(
        "key_account.commission.plan",
        string="Commission Plan",
        groups="key_account.group_key_account_user",
    )
    ka_commission_status = fields.Selection(
        [
            ("regular", "Regular"),
            ("probation", "On Probation"),
            ("demoted", "Demoted"),
        ],
        string="Salesperson Status",
        default="regular",
        groups="key_account.group_key_account_user",
        help="Scales the salesperson's targets by the factor set in Settings.",
    )
