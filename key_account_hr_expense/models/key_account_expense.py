from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

# the payment states of an expense report that reimbursed the employee
PAID_STATES = ("paid", "in_payment")


class KeyAccountExpense(models.Model):
    _inherit = "key_account.expense"

    ka_hr_expense_id = fields.Many2one(
        "hr.expense",
        string="Expense",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The expense of Expenses this line was claimed as.",
    )
    ka_expense_sheet_id = fields.Many2one(
        related="ka_hr_expense_id.sheet_id", string="Expense Report"
    )

    # ---- guards ------------------------------------------------------------------
    def _ka_refuse_link(self, fnames):
        if not self.env.su and "ka_hr_expense_id" in fnames:
            raise AccessError(
                self.env._("Claim the expenses to send them to an expense report.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ka_refuse_link(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ka_refuse_link(vals)
        return super().write(vals)

    def action_reimburse(self):
        """An expense claimed through Expenses is reimbursed when its expense
        report is paid, not by hand."""
        reported = self.filtered("ka_hr_expense_id")
        if reported:
            raise UserError(
                self.env._(
                    "%(name)s is reimbursed through the expense report "
                    "%(sheet)s: post and pay the report in Expenses.",
                    name=reported[0].name,
                    sheet=reported[0].sudo().ka_expense_sheet_id.display_name,
                )
            )
        return super().action_reimburse()

    # ---- the expense report --------------------------------------------------------
    # a line claimed through an expense report is reimbursed when the report
    # is paid, claimed again when its payment is undone, back to unclaimed
    # (to be corrected and claimed again) when Finance refuses the report; a
    # line without a report keeps the state the key-account buttons gave it
    reimbursement_state = fields.Selection(
        compute="_compute_reimbursement_state", store=True, readonly=False
    )
    reimbursed_date = fields.Date(
        compute="_compute_reimbursement_state", store=True, readonly=False
    )

    @api.depends(
        "ka_hr_expense_id.sheet_id.payment_state", "ka_hr_expense_id.sheet_id.state"
    )
    def _compute_reimbursement_state(self):
        today = fields.Date.context_today(self)
        for line in self:
            sheet = line.ka_hr_expense_id.sheet_id
            if not sheet:
                continue
            if sheet.state == "cancel":
                line.reimbursement_state = "not_claimed"
                line.reimbursed_date = False
            elif sheet.payment_state not in PAID_STATES:
                line.reimbursement_state = "claimed"
                line.reimbursed_date = False
            elif line.reimbursement_state != "reimbursed":
                payments = sheet.sudo().account_move_ids._get_reconciled_payments()
                line.reimbursement_state = "reimbursed"
                line.reimbursed_date = max(payments.mapped("date"), default=today)
