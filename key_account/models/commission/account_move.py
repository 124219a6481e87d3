from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError


class AccountMove(models.Model):
    _inherit = "account.move"

    ka_settlement_id = fields.Many2one(
        "key_account.commission.settlement",
        string="Commission Settlement",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The commission settlement this entry or bill books (or reverses).",
    )

    def _ka_refuse_settlement_link(self, vals_list):
        """The link to a settlement is the module's (its payment marks the
        settlement paid): no client sets it."""
        if self.env.su:
            return
        if any("ka_settlement_id" in vals for vals in vals_list):
            raise AccessError(
                self.env._(
                    "The commission settlement of an entry is set when the "
                    "settlement is confirmed, not by hand."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._ka_refuse_settlement_link(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._ka_refuse_settlement_link([vals])
        return super().write(vals)

    def action_open_ka_settlement(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "key_account.commission.settlement",
            "res_id": self.ka_settlement_id.id,
            "view_mode": "form",
        }

    def _ka_is_paid(self):
        """Paid: every payable line (the payable account of the commission
        entry, the vendor's of a bill) is fully matched."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
            and line.account_id.reconcile
        )
        return bool(lines) and all(
            line.company_currency_id.is_zero(line.amount_residual) for line in lines
        )

    def _ka_is_touched(self):
        """Some payment (or other matching) is on its payable lines."""
        self.ensure_one()
        return any(
            line.matched_debit_ids or line.matched_credit_ids
            for line in self.line_ids
            if line.account_id.reconcile
        )


class AccountPartialReconcile(models.Model):
    """A commission's entry or bill paid (or unpaid again): the settlement
    follows."""

    _inherit = "account.partial.reconcile"

    def _ka_settlements(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        return moves.sudo().ka_settlement_id

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        settlements = partials._ka_settlements()
        if settlements:
            settlements._ka_follow_payment(self.env)
        return partials

    def unlink(self):
        settlements = self._ka_settlements()
        res = super().unlink()
        if settlements:
            settlements._ka_follow_payment(self.env)
        return res
