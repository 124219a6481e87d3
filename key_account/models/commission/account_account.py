from odoo import api
from odoo import models


class AccountAccount(models.Model):
    _inherit = "account.account"

    @api.constrains("account_type", "reconcile")
    def _check_ka_commission_payable_account(self):
        """The commission payable account of a company stays a reconcilable
        payable account (see ``res.company``)."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("ka_commission_payable_account_id", "in", self.ids)])
        )
        companies._check_ka_commission_payable_account()
