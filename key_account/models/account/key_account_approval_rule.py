from odoo import fields
from odoo import models


class KeyAccountApprovalRule(models.Model):
    _inherit = "key_account.approval.rule"

    document_type = fields.Selection(
        selection_add=[("plan", "Account Plan")], ondelete={"plan": "cascade"}
    )
