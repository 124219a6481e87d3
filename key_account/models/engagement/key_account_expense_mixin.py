from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..common.lang import env_for


class KeyAccountExpenseMixin(models.AbstractModel):
    """Planned budget and actual expenses of an engagement document (an
    approval document too). Concrete models define ``planned_line_ids`` and
    ``expense_line_ids`` (``key_account.expense`` lines) and ``_ka_claim_gate``."""

    _name = "key_account.expense.mixin"
    _inherit = ["key_account.approval.mixin"]
    _description = "Key Account Expenses Mixin"
    _ka_workflow_fields = frozenset(
        {
            "state",
            "submitted_date",
            "submitted_by_id",
            "amount_approved",
            "overrun_state",
            "overrun_amount",
            "overrun_submitted_by_id",
        }
    )

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
    # what the approval chain approved: the planned cost, raised when an
    # overrun of the actual expenses is approved in its turn
    amount_approved = fields.Monetary(
        string="Approved Cost",
        readonly=True,
        copy=False,
        help="The cost the approval chain approved. Actual expenses above it "
        "(beyond the tolerance in Settings) are claimed once the overrun is "
        "approved.",
    )
    overrun_state = fields.Selection(
        [
            ("submitted", "Overrun to Approve"),
            ("approved", "Overrun Approved"),
            ("refused", "Overrun Refused"),
        ],
        string="Overrun",
        readonly=True,
        copy=False,
        tracking=True,
    )
    overrun_amount = fields.Monetary(
        string="Total Asked",
        readonly=True,
        copy=False,
        help="The actual total whose overrun was submitted for approval.",
    )
    overrun_submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    ka_over_budget = fields.Boolean(
        string="Over the Approved Cost", compute="_compute_ka_over_budget"
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

    def _ka_closed_free_fields(self):
        # actual expenses are entered until they are claimed
        return super()._ka_closed_free_fields() | {"expense_line_ids"}

    # ---- overruns ------------------------------------------------------------------
    def _ka_allowed_cost(self):
        """The actual total the document may claim: the approved cost and the
        company's tolerance (Settings, % of it)."""
        self.ensure_one()
        tolerance = self.company_id.ka_expense_tolerance or 0.0
        return self.amount_approved * (1 + tolerance / 100.0)

    @api.depends("amount_actual", "amount_approved", "state")
    def _compute_ka_over_budget(self):
        for doc in self:
            doc.ka_over_budget = bool(
                doc.state in ("approved", "done", "closed")
                and doc.currency_id.compare_amounts(
                    doc.amount_actual, doc._ka_allowed_cost()
                )
                > 0
            )

    def _ka_chain_amount(self):
        # an overrun is approved at the level its new total needs
        if self._ka_overrun_pending():
            return self.overrun_amount
        return super()._ka_chain_amount()

    def _ka_overrun_pending(self):
        self.ensure_one()
        return self.overrun_state == "submitted" and self.state in ("done", "closed")

    def _ka_awaiting_approval(self):
        return super()._ka_awaiting_approval() or self._ka_overrun_pending()

    def _ka_requesters(self):
        # an overrun is asked by who submits it and by who entered or changed
        # the expenses it approves: none of them approves it
        requesters = super()._ka_requesters()
        if self._ka_overrun_pending():
            actual = self.expense_line_ids.sudo()
            requesters |= (
                self.overrun_submitted_by_id | actual.create_uid | actual.write_uid
            )
        return requesters

    def _ka_workflow_write(self, vals):
        res = super()._ka_workflow_write(vals)
        if vals.get("state") == "approved":
            # the chain approved the planned cost
            for doc in self:
                super(KeyAccountExpenseMixin, doc)._ka_workflow_write(
                    {"amount_approved": doc.amount_planned}
                )
        return res

    def _ka_chain_approved(self):
        if not self._ka_overrun_pending():
            return super()._ka_chain_approved()
        self._ka_workflow_write(
            {"overrun_state": "approved", "amount_approved": self.overrun_amount}
        )
        return True

    def _ka_chain_refused(self):
        if not self._ka_overrun_pending():
            return super()._ka_chain_refused()
        self._ka_workflow_write({"overrun_state": "refused"})
        return True

    def action_submit_overrun(self):
        """Ask the approval of actual expenses above the approved cost: a new
        round of approvals at the levels the new total needs."""
        self._ka_check_owner()
        for doc in self:
            if doc.state not in ("done", "closed"):
                raise UserError(
                    self.env._(
                        "%(doc)s is not done yet: its overrun is submitted with "
                        "its actual expenses, once it is done.",
                        doc=doc.display_name,
                    )
                )
            if doc.overrun_state == "submitted":
                raise UserError(
                    self.env._(
                        "The overrun of %(doc)s already waits for its approvers.",
                        doc=doc.display_name,
                    )
                )
            if not doc.ka_over_budget:
                raise UserError(
                    self.env._(
                        "%(doc)s spends no more than was approved: there is no "
                        "overrun to approve.",
                        doc=doc.display_name,
                    )
                )
            doc._ka_workflow_write(
                {
                    "overrun_state": "submitted",
                    "overrun_amount": doc.amount_actual,
                    "overrun_submitted_by_id": self.env.uid,
                }
            )
            doc._ka_new_round()
            doc.invalidate_recordset(["approval_line_ids"])
            doc.message_post(
                body=env_for(self.env, doc.user_id)._(
                    "Actual expenses of %(actual)s against %(approved)s approved: "
                    "the overrun is submitted for approval.",
                    actual=doc.currency_id.format(doc.amount_actual),
                    approved=doc.currency_id.format(doc.amount_approved),
                )
            )
            if doc._ka_current_line():
                doc._ka_schedule_approvals()
            else:
                doc._ka_chain_approved()
        return True

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
            if doc.ka_over_budget:
                # money approved is the ceiling of money paid
                raise UserError(
                    self.env._(
                        "%(doc)s spent %(actual)s, more than the %(approved)s "
                        "approved: ask the approval of the overrun (Submit "
                        "Overrun), or correct the expenses, before claiming them.",
                        doc=doc.display_name,
                        actual=doc.currency_id.format(doc.amount_actual),
                        approved=doc.currency_id.format(doc._ka_allowed_cost()),
                    )
                )
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
