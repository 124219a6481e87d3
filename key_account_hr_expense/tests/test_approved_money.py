from odoo import Command
from odoo.addons.key_account.tests.common import HOSTILE_CONTEXT
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_key_account_hr_expense import HrExpenseCase


@tagged("post_install", "-at_install")
class TestOnlyApprovedMoneyReachesExpenses(HrExpenseCase):
    """An expense report is made of money the key-account chain approved: a
    visit never approved makes none, and actual expenses above the approved
    cost make one once their overrun is approved, at the levels the new
    total needs."""

    def _spend_and_finish(self, visit, amount):
        as_user = visit.with_user(self.ka_user)
        record = self._visit_record_vals() if visit.state != "done" else {}
        as_user.write(
            {
                **record,
                "summary": "<p>Banquet</p>",
                "expense_line_ids": [
                    Command.create(
                        {
                            "expense_type": "hospitality",
                            "name": "Banquet",
                            "amount": amount,
                        }
                    )
                ],
            }
        )
        if visit.state == "approved":
            as_user.action_done()

    def _sheets(self, visit):
        return self.env["hr.expense.sheet"].search([("ka_visit_id", "=", visit.id)])

    def test_a_visit_made_approved_by_its_context_makes_no_report(self):
        visit = (
            self.env["key_account.visit"]
            .with_user(self.ka_user)
            .with_context(
                **HOSTILE_CONTEXT,
                default_state="approved",
                default_submitted_by_id=self.ka_manager.id,
            )
            .create([{"partner_id": self.account.id, "user_id": self.ka_user.id}])
        )
        self.assertEqual(visit.state, "draft")
        # even made done by server code, it approved nothing
        visit._ka_workflow_write({"state": "done"})
        self._spend_and_finish(visit, 99_999.99)
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).action_claim_expenses()
        self.assertFalse(self._sheets(visit))

    def test_an_overrun_reaches_expenses_once_approved_at_its_level(self):
        visit = self._visit(6000)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_approver).action_approve()
        self.assertEqual(visit.amount_approved, 6000)
        self._spend_and_finish(visit, 250_000)
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).action_claim_expenses()
        self.assertFalse(self._sheets(visit))
        visit.with_user(self.ka_user).action_submit_overrun()
        visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_approver).action_approve()
        visit.with_user(self.ka_user).action_claim_expenses()
        sheet = self._sheets(visit)
        self.assertEqual(sheet.total_amount, 250_000)
        self.assertEqual(sheet.state, "approve")
        self.assertEqual(sheet.user_id, self.ka_approver, "the overrun's last approver")
