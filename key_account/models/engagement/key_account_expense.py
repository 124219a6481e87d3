from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.groups import KA_APPROVER

EXPENSE_TYPES = [
    ("hospitality", "Hospitality"),
    ("training", "Training"),
    ("meeting", "Meeting"),
    ("exchange", "Exchange"),
    ("club", "Club activity"),
    ("gift", "Gift"),
    ("transport", "Transport"),
    ("other", "Other"),
]


# set when a line is entered (or computed from its document): never moved
FIXED_FIELDS = frozenset(
    {"kind", "visit_id", "reception_id", "user_id", "partner_id", "company_id"}
)


class KeyAccountExpense(models.Model):
    """A line of money spent on a visit or a reception: planned (the budget
    that selects the approval levels) or actual (claimed and reimbursed)."""

    _name = "key_account.expense"
    _inherit = ["key_account.number.mixin", "key_account.guard.mixin"]
    _description = "Key Account Expense"
    _order = "date desc, id"
    _check_company_auto = True

    visit_id = fields.Many2one(
        "key_account.visit", index="btree_not_null", ondelete="cascade"
    )
    reception_id = fields.Many2one(
        "key_account.reception",
        index="btree_not_null",
        ondelete="cascade",
    )
    kind = fields.Selection(
        [("planned", "Planned"), ("actual", "Actual")],
        required=True,
        default="actual",
        index=True,
    )
    expense_type = fields.Selection(
        EXPENSE_TYPES, string="Type", required=True, default="hospitality"
    )
    name = fields.Char(string="Description", required=True)
    date = fields.Date(default=fields.Date.context_today, required=True)
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_document",
        store=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    user_id = fields.Many2one(
        "res.users",
        compute="_compute_document",
        store=True,
        index=True,
        string="Salesperson",
    )
    partner_id = fields.Many2one(
        "res.partner",
        compute="_compute_document",
        store=True,
        index=True,
        string="Key Account",
    )
    amount = fields.Monetary(required=True)
    receipt = fields.Binary(attachment=True)
    receipt_name = fields.Char(string="Receipt File Name")
    reimbursement_state = fields.Selection(
        [
            ("not_claimed", "Not claimed"),
            ("claimed", "Claimed"),
            ("reimbursed", "Reimbursed"),
        ],
        string="Reimbursement",
        default="not_claimed",
        required=True,
        copy=False,
        index=True,
    )
    reimbursed_date = fields.Date(string="Reimbursed On", readonly=True, copy=False)

    _sql_constraints = [
        (
            "one_document",
            "CHECK(num_nonnulls(visit_id, reception_id) = 1)",
            "An expense belongs to exactly one visit or one reception.",
        ),
    ]

    @api.depends(
        "visit_id.company_id",
        "visit_id.user_id",
        "visit_id.partner_id",
        "reception_id.company_id",
        "reception_id.user_id",
        "reception_id.partner_id",
    )
    def _compute_document(self):
        for line in self:
            doc = line._ka_document()
            line.company_id = doc.company_id
            line.user_id = doc.user_id
            line.partner_id = doc.partner_id

    def _ka_document(self):
        self.ensure_one()
        return self.visit_id or self.reception_id

    @api.constrains("amount")
    def _check_amount(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Expense %(name)s: the amount must be positive.",
                        name=line.name,
                    )
                )

    # ---- guards ------------------------------------------------------------------
    def _ka_protected_fields(self):
        # moved by the Claim and Reimburse buttons only
        return super()._ka_protected_fields() | {
            "reimbursement_state",
            "reimbursed_date",
        }

    def _ka_check_lines_editable(self):
        """Planned lines follow their document's approval; actual lines are
        free until claimed, on a document that is not cancelled."""
        for line in self:
            if line.kind == "planned":
                line._ka_document()._ka_check_editable(self.env._("planned budget"))
            elif line._ka_document().state == "cancelled":
                raise UserError(
                    self.env._(
                        "%(doc)s is cancelled: it has no expenses to enter or change.",
                        doc=line._ka_document().display_name,
                    )
                )
            elif line.reimbursement_state != "not_claimed":
                raise UserError(
                    self.env._(
                        "Expense %(name)s was claimed: it can no longer change.",
                        name=line.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("reimbursement_state", "not_claimed") != "not_claimed"
            or vals.keys() & (FIXED_FIELDS - {"kind", "visit_id", "reception_id"})
            for vals in vals_list
        ):
            raise AccessError(
                self.env._("Use the Claim and Reimburse buttons to move expenses.")
            )
        lines = super().create(vals_list)
        lines._ka_check_lines_editable()
        return lines

    def write(self, vals):
        if not self.env.su:
            if vals.keys() & {"reimbursement_state", "reimbursed_date"}:
                raise AccessError(
                    self.env._("Use the Claim and Reimburse buttons to move expenses.")
                )
            if vals.keys() & FIXED_FIELDS:
                # a line stays on its document, planned or actual: moving it
                # would change an approved budget or another person's claim
                raise AccessError(
                    self.env._(
                        "An expense stays on its visit or reception, planned or "
                        "actual: delete it and enter a new one."
                    )
                )
        if set(vals) - {"reimbursement_state", "reimbursed_date"}:
            self._ka_check_lines_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self._ka_check_lines_editable()

    # ---- reimbursement -------------------------------------------------------------
    def action_reimburse(self):
        if not self.env.user.has_group(KA_APPROVER):
            raise AccessError(
                self.env._("Only Finance approvers can mark expenses as reimbursed.")
            )
        if any(line.reimbursement_state != "claimed" for line in self):
            raise UserError(self.env._("Only claimed expenses can be reimbursed."))
        own = self.filtered(lambda line: line.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "%(name)s is your own expense: another person of Finance "
                    "reimburses it.",
                    name=own[0].name,
                )
            )
        self.sudo().write(
            {
                "reimbursement_state": "reimbursed",
                "reimbursed_date": fields.Date.context_today(self),
            }
        )
        return True

    @api.model
    def _ka_reimbursed_by_user(self, users, date_from, date_to):
        """Expenses reimbursed between the two dates (included), per salesperson.

        :return: {user_id: amount in company currency}
        """
        groups = self.sudo()._read_group(
            [
                ("user_id", "in", users.ids),
                ("reimbursement_state", "=", "reimbursed"),
                ("reimbursed_date", ">=", date_from),
                ("reimbursed_date", "<=", date_to),
            ],
            ["user_id"],
            ["amount:sum"],
        )
        return {user.id: amount for user, amount in groups}
