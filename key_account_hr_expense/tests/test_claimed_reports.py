from odoo import Command
from odoo.addons.key_account.tests.common import HOSTILE_CONTEXT
from odoo.addons.key_account.tests.common import EngagementCase
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestClaimedReportsStayApproved(EngagementCase):
    """The expense report a claim makes is approved as superuser for
    the amounts the key-account chain approved; its employee (the
    salesperson) must not change those amounts afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", cls.company, install_demo=False
            )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Sam Salesman",
                "user_id": cls.ka_user.id,
                "work_email": "sam@example.com",
                "company_id": cls.company.id,
            }
        )

    def _claimed_sheet(self):
        visit = self._visit(1000)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        as_user = visit.with_user(self.ka_user)
        as_user.write(
            {
                **self._visit_record_vals(),
                "summary": "<p>Good meeting</p>",
                "expense_line_ids": [
                    Command.create(
                        {"expense_type": "transport", "name": "Train", "amount": 280}
                    )
                ],
            }
        )
        as_user.action_done()
        as_user.with_context(**HOSTILE_CONTEXT).action_claim_expenses()
        sheet = visit.ka_expense_sheet_ids
        self.assertEqual(sheet.state, "approve")
        return visit, sheet

    def test_the_salesperson_cannot_raise_an_approved_claimed_expense(self):
        _visit, sheet = self._claimed_sheet()
        expense = sheet.expense_line_ids
        try:
            expense.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(
                {"total_amount_currency": 9000, "quantity": 1}
            )
        except (AccessError, UserError):
            pass
        sheet.invalidate_recordset()
        expense.invalidate_recordset()
        self.assertEqual(
            expense.total_amount,
            280,
            "the salesperson changed the amount of an expense the key-account "
            "chain approved, in a report approved for them",
        )
        self.assertEqual(sheet.total_amount, 280)

    def test_the_bill_finance_posts_keeps_the_approved_amount(self):
        """The same write, seen from the bill Finance posts and pays."""
        _visit, sheet = self._claimed_sheet()
        try:
            sheet.expense_line_ids.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).write({"total_amount_currency": 9000})
        except (AccessError, UserError):
            pass
        self.env.invalidate_all()
        self.assertEqual(
            self.env["account.move"]
            .search([("expense_sheet_id", "=", sheet.id)])
            .amount_total,
            280,
            "the employee's bill follows the salesperson's new amount",
        )

    def test_the_salesperson_cannot_reset_and_reuse_an_approved_claim(self):
        """Reset to draft, the report leaves the chain's approval behind while
        the key-account lines stay claimed."""
        _visit, sheet = self._claimed_sheet()
        with self.assertRaises(UserError):
            sheet.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_reset_expense_sheets()
