from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class KeyAccountExpenseMixin(models.AbstractModel):
    """Planned budget and actual expenses of an engagement document (an
    approval document too). Concrete models define ``planned_line_ids`` and
    ``expense_line_ids`` (``key_account.expense`` lines) and ``_ka_claim_gate``."""

    _name = "key_account.expense.mixin"
    _inherit = ["key_account.approval.mixin"]
    _description = "Key Account Expenses Mixin"

    amount_planned = fields.Monetary(
        string="Planned Cost",
        compute="_compute_ka_amounts",
        store=True,
        tracking=True,
        help="Total of the planned budget: it selects the approval levels.",
    )
    amount_actual = fields.Monetary(
        string="Actual Cost", compute="_compute_ka_amounts", store=True
    )
    amount_reimbursed = fields.Monetary(
        string="Reimbursed", compute="_compute_ka_amounts", store=True
    )
    expense_state = fields.Selection(
        [
            ("none", "No expense"),
            ("not_claimed", "Not claimed"),
            ("claimed", "Claimed"),
            ("reimbursed", "Reimbursed"),
        ],
        string="Expense Status",
        compute="_compute_ka_amounts",
        store=True,
    )

    @api.depends(
        "planned_line_ids.amount",
        "expense_line_ids.amount",
        "expense_line_ids.reimbursement_state",
    )
    def _compute_ka_amounts(self):
        for doc in self:
            doc.amount_planned = sum(doc.planned_line_ids.mapped("amount"))
            doc.amount_actual = sum(doc.expense_line_ids.mapped("amount"))
            doc.amount_reimbursed = sum(
                doc.expense_line_ids.filtered(
                    lambda e: e.reimbursement_state == "reimbursed"
                ).mapped("amount")
            )
            states = set(doc.expense_line_ids.mapped("reimbursement_state"))
            doc.expense_state = next(
                (s for s in ("not_claimed", "claimed", "reimbursed") if s in states),
                "none",
            )

    def _ka_claim_gate(self):
        """Raise a UserError if expenses of this document may not be claimed."""

    def action_claim_expenses(self):
        self._ka_check_owner()
        for doc in self:
            if doc.state not in ("done", "closed"):
                raise UserError(
                    self.env._(
                        "%(doc)s is not done yet: its expenses cannot be claimed.",
                        doc=doc.display_name,
                    )
                )
            doc._ka_claim_gate()
            if not doc.expense_line_ids.filtered(
                lambda e: e.reimbursement_state == "not_claimed"
            ):
                raise UserError(
                    self.env._(
                        "%(doc)s has no unclaimed expense.", doc=doc.display_name
                    )
                )
        self._ka_claim_lines(
            self.expense_line_ids.filtered(
                lambda e: e.reimbursement_state == "not_claimed"
            )
        )
        return True

    def _ka_claim_lines(self, lines):
        """Claim ``lines``, the unclaimed expenses of ``self``, once the
        owner's rights and the documents' gates were checked: here they wait
        for Finance's *Mark Reimbursed*. A bridge add-on (the one with
        Expenses) sends them on."""
        lines.sudo().write({"reimbursement_state": "claimed"})
        for doc in self:
            doc.message_post(body=self.env._("Expenses claimed for reimbursement."))

    def action_reimburse_expenses(self):
        lines = self.expense_line_ids.filtered(
            lambda e: e.reimbursement_state == "claimed"
        )
        if not lines:
            raise UserError(self.env._("There is no claimed expense to reimburse."))
        return lines.action_reimburse()
