from odoo import fields
from odoo import models


class KeyAccountCommissionSettlementCancel(models.TransientModel):
    _name = "key_account.commission.settlement.cancel"
    _description = "Cancel a Commission Settlement"

    settlement_ids = fields.Many2many(
        "key_account.commission.settlement",
        relation="key_account_commission_settlement_cancel_rel",
        string="Settlements",
    )
    reason = fields.Text(required=True)

    def action_cancel(self):
        self.ensure_one()
        self.settlement_ids.action_cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
