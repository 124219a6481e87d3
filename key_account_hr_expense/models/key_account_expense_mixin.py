from odoo import Command
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class KeyAccountExpenseMixin(models.AbstractModel):
    """Claiming the expenses of a visit or a reception makes them an expense
    report of Expenses for the salesperson's employee, approved already (the
    key-account chain approved the spending): Finance posts and pays it, and
    the expenses are reimbursed when it is paid.

    Concrete models define ``ka_expense_sheet_ids`` (the reports, by their
    link field ``_ka_sheet_link``)."""

    _inherit = "key_account.expense.mixin"
    _ka_sheet_link = False

    ka_expense_sheet_count = fields.Integer(
        string="Expense Report Count", compute="_compute_ka_expense_sheet_count"
    )

    def _compute_ka_expense_sheet_count(self):
        for doc in self:
            doc.ka_expense_sheet_count = len(doc.sudo().ka_expense_sheet_ids)

    def action_open_expense_sheets(self):
        self.ensure_one()
        sheets = self.ka_expense_sheet_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Expense Reports"),
            "res_model": "hr.expense.sheet",
            "context": {"create": False},
        }
        if len(sheets) == 1:
            return {**action, "view_mode": "form", "res_id": sheets.id}
        return {
            **action,
            "view_mode": "list,form",
            "domain": [("id", "in", sheets.ids)],
        }

    # ---- the claim -------------------------------------------------------------------
    def _ka_claim_employee(self):
        """The employee of the document's salesperson in its company, who
        is reimbursed; a clear error says what to set up when there is none."""
        self.ensure_one()
        employee = (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.user_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )
        if not employee:
            raise UserError(
                self.env._(
                    "%(user)s has no employee in %(company)s: the expenses of "
                    "%(doc)s are reimbursed through Expenses. In Employees, "
                    "create the employee of %(user)s in %(company)s (or open "
                    "theirs) and set %(user)s as its Related User (HR Settings "
                    "tab), then claim again.",
                    user=self.user_id.name,
                    company=self.company_id.name,
                    doc=self.display_name,
                )
            )
        if not employee.work_email:
            raise UserError(
                self.env._(
                    "The employee %(employee)s has no work e-mail: Expenses "
                    "needs it to reimburse them. Set it on the employee form, "
                    "then claim again.",
                    employee=employee.name,
                )
            )
        return employee

    def _ka_approver(self):
        """Who approved the spending: the last approver of the chain."""
        self.ensure_one()
        lines = self._ka_current_round().filtered(
            lambda line: line.state == "approved" and line.done_by_id
        )
        return lines[-1:].done_by_id

    def _ka_claim_lines(self, lines):
        """One approved expense report per document, one expense per line,
        then the lines are claimed as without Expenses."""
        reports = {}
        for doc in self:
            doc_lines = lines.filtered(lambda line, d=doc: line._ka_document() == d)
            if doc_lines:
                reports[doc] = doc._ka_expense_sheet(doc_lines)
        res = super()._ka_claim_lines(lines)
        for doc, sheet in reports.items():
            doc.message_post(
                body=self.env._(
                    "Expense report %(sheet)s, approved: Finance posts and pays it.",
                    sheet=sheet._get_html_link(),
                )
            )
        return res

    def _ka_expense_sheet(self, lines):
        """The approved expense report of ``lines`` (expenses of ``self``),
        as superuser: the claim's checks ran and the key-account chain
        approved the spending."""
        self.ensure_one()
        employee = self._ka_claim_employee()
        products = self.env["key_account.expense.product"]._ka_products(
            set(lines.mapped("expense_type")), self.company_id
        )
        env = self.env(context={"lang": self.env.context.get("lang")}, su=True)
        company = self.company_id
        description = self.env._(
            "%(doc)s, %(account)s", doc=self.name, account=self.partner_id.display_name
        )
        expenses = (
            self.env["hr.expense"]
            .with_env(env)
            .with_company(company)
            .create(
                [
                    {
                        "name": line.name,
                        "product_id": products[line.expense_type].id,
                        "employee_id": employee.id,
                        "company_id": company.id,
                        "date": line.date,
                        "quantity": 1,
                        "total_amount_currency": line.amount,
                        "currency_id": line.currency_id.id,
                        "payment_mode": "own_account",
                        "description": description,
                    }
                    for line in lines
                ]
            )
        )
        for line, expense in zip(lines.sudo(), expenses, strict=True):
            line.ka_hr_expense_id = expense
            if line.receipt:
                env["ir.attachment"].create(
                    {
                        "name": line.receipt_name or line.name,
                        "datas": line.receipt,
                        "res_model": "hr.expense",
                        "res_id": expense.id,
                    }
                )
        sheet = (
            self.env["hr.expense.sheet"]
            .with_env(env)
            .with_company(company)
            .create(
                {
                    "name": self.env._(
                        "%(doc)s: %(account)s",
                        doc=self.name,
                        account=self.partner_id.display_name,
                    ),
                    "employee_id": employee.id,
                    "company_id": company.id,
                    self._ka_sheet_link: self.id,
                    "expense_line_ids": [Command.set(expenses.ids)],
                }
            )
        )
        sheet.action_submit_sheet()
        approver = self._ka_approver()
        if approver and not sheet.user_id:
            sheet.user_id = approver
        # as an approver approves (action_approve_expense_sheets), its
        # checks being the key-account chain's: the bill is drafted
        sheet._validate_analytic_distribution()
        sheet._do_approve()
        return sheet
