from odoo import fields
from odoo import models


class KeyAccountType(models.Model):
    _inherit = "key_account.type"

    ka_pool_never_return = fields.Boolean(
        string="Never Returns to the Pool",
        help="Owned accounts of this type stay with their owner whatever their "
        "follow-ups and orders.",
    )
