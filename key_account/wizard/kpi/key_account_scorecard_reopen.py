from odoo import fields
from odoo import models


class KeyAccountScorecardReopen(models.TransientModel):
    _name = "key_account.scorecard.reopen"
    _description = "Reopen KPI Scorecards"

    scorecard_ids = fields.Many2many("key_account.scorecard", required=True)
    reason = fields.Text(required=True)

    def action_reopen(self):
        self.ensure_one()
        self.scorecard_ids._ka_reopen(self.reason)
        return {"type": "ir.actions.act_window_close"}
