from odoo import api
from odoo import models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _ka_receivable_accounts(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        return moves._ka_receivable_accounts()

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._ka_receivable_accounts()._ka_refresh_receivables()
        return partials

    def unlink(self):
        accounts = self._ka_receivable_accounts()
        res = super().unlink()
        accounts._ka_refresh_receivables()
        return res
