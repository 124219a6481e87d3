from odoo import Command
from odoo.addons.key_account.tests.common import HOSTILE_CONTEXT
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_key_account_hr_expense import HrExpenseCase


@tagged("post_install", "-at_install")
class TestClaimedReportsStayApproved(HrExpenseCase):
    """The expense report a claim makes is approved as superuser for the
    amounts the key-account chain approved: its employee (the salesperson)
    does not change them afterwards, nor take the report back to draft."""

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
        return sheet

    def test_the_approved_amount_stays(self):
        sheet = self._claimed_sheet()
        expense = sheet.expense_line_ids.with_user(self.ka_user).with_context(
            **HOSTILE_CONTEXT
        )
        for vals in ({"total_amount_currency": 9000}, {"quantity": 3}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                expense.write(vals)
        self.env.invalidate_all()
        self.assertEqual(sheet.expense_line_ids.total_amount, 280)
        self.assertEqual(sheet.total_amount, 280)
        self.assertEqual(
            self.env["account.move"]
            .search([("expense_sheet_id", "=", sheet.id)])
            .amount_total,
            280,
        )
        # what the chain did not fix stays the employee's
        expense.write({"description": "Seat 12A"})

    def test_the_employee_does_not_reset_it(self):
        sheet = self._claimed_sheet()
        with self.assertRaises(UserError):
            sheet.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_reset_expense_sheets()
        self.assertEqual(sheet.state, "approve")
        # Finance may
        sheet.with_user(self.accountant).action_reset_expense_sheets()
        self.assertEqual(sheet.state, "draft")


@tagged("post_install", "-at_install")
class TestBridgeMenus(HrExpenseCase):
    def test_expense_categories_menu_opens(self):
        """The bridge's menu, as a Key Account manager: its action's views load
        and list the shipped categories; a salesperson reads them only."""
        menu = self.env.ref("key_account_hr_expense.key_account_expense_product_menu")
        action = self.env.ref(
            "key_account_hr_expense.key_account_expense_product_action"
        )
        self.assertEqual(menu.action, action)
        Model = self.env[action.res_model].with_user(self.ka_manager)
        views = Model.get_views([(False, "list"), (False, "form"), (False, "search")])
        self.assertEqual(set(views["views"]), {"list", "form", "search"})
        read = Model.web_search_read([], {"expense_type": {}, "product_id": {}})
        self.assertTrue(read["length"])
        # like the rest of the configuration: salespeople read it, managers
        # change it
        salesperson = self.env[action.res_model].with_user(self.ka_user)
        self.assertIn(
            menu.id, self.env["ir.ui.menu"].with_user(self.ka_user)._visible_menu_ids()
        )
        category = salesperson.search([], limit=1)
        self.assertTrue(category)
        with self.assertRaises(AccessError):
            category.with_context(**HOSTILE_CONTEXT).write(
                {"product_id": category.sudo().product_id.id}
            )
