from odoo import Command
from odoo.addons.key_account.tests.common import HOSTILE_CONTEXT
from odoo.addons.key_account.tests.common import EngagementCase
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged


class HrExpenseCase(EngagementCase):
    """ka_user is the employee Sam Salesman; an accountant pays."""

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
        cls.accountant = new_test_user(
            cls.env,
            login="ka_accountant",
            name="Alice Accountant",
            groups="account.group_account_manager,hr_expense.group_hr_expense_manager",
        )
        cls.product_meal = cls.env.ref("hr_expense.expense_product_meal")
        cls.product_travel = cls.env.ref(
            "hr_expense.expense_product_travel_accommodation"
        )


@tagged("post_install", "-at_install")
class TestKeyAccountHrExpense(HrExpenseCase):
    """Claimed key-account expenses become an approved expense report of the
    salesperson's employee; Finance posts and pays it; the key-account
    expenses are reimbursed when it is paid."""

    def _done_visit(self):
        """A done visit of ka_user with its summary and two actual expenses:
        transport 280 (with a receipt), hospitality 150."""
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
                        {
                            "expense_type": "transport",
                            "name": "Train tickets",
                            "amount": 280,
                            "receipt": "UmVjZWlwdA==",
                            "receipt_name": "train.pdf",
                        }
                    ),
                    Command.create(
                        {
                            "expense_type": "hospitality",
                            "name": "Lunch",
                            "amount": 150,
                        }
                    ),
                ],
            }
        )
        as_user.action_done()
        return visit

    def _claim(self, visit, user=None):
        return (
            visit.with_user(user or self.ka_user)
            .with_context(**HOSTILE_CONTEXT)
            .action_claim_expenses()
        )

    def _pay(self, sheet):
        """Finance posts the report and pays the employee."""
        sheet = sheet.with_user(self.accountant)
        sheet.action_sheet_move_post()
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=sheet.account_move_ids.ids
        ).create({})._create_payments()

    # ---- the claim -------------------------------------------------------------------
    def test_a_claim_makes_an_approved_expense_report(self):
        visit = self._done_visit()
        self._claim(visit)
        sheet = visit.ka_expense_sheet_ids
        self.assertEqual(len(sheet), 1)
        self.assertEqual(visit.ka_expense_sheet_count, 1)
        self.assertEqual(sheet.employee_id, self.employee)
        self.assertEqual(sheet.ka_visit_id, visit)
        # approved already: the key-account chain approved the spending
        self.assertEqual(sheet.state, "approve")
        self.assertEqual(sheet.approval_state, "approve")
        self.assertEqual(sheet.user_id, self.ka_manager, "the chain's approver")
        self.assertEqual(
            self.env["account.move"]
            .search([("expense_sheet_id", "=", sheet.id)])
            .state,
            "draft",
            "the bill is drafted, for Finance to post",
        )
        self.assertEqual(sheet.total_amount, 430)
        # one expense per line, in the category of its type, linked both ways
        lines = visit.expense_line_ids
        train = lines.filtered(lambda line: line.expense_type == "transport")
        lunch = lines - train
        self.assertEqual(sheet.expense_line_ids, lines.ka_hr_expense_id)
        self.assertEqual(train.ka_hr_expense_id.product_id, self.product_travel)
        self.assertEqual(train.ka_hr_expense_id.total_amount, 280)
        self.assertEqual(train.ka_hr_expense_id.ka_expense_ids, train)
        self.assertEqual(lunch.ka_hr_expense_id.product_id, self.product_meal)
        self.assertEqual(lunch.ka_hr_expense_id.total_amount, 150)
        self.assertEqual(train.ka_expense_sheet_id, sheet)
        self.assertEqual(
            train.ka_hr_expense_id.attachment_ids.mapped("name"), ["train.pdf"]
        )
        self.assertEqual(set(lines.mapped("reimbursement_state")), {"claimed"})
        self.assertEqual(visit.expense_state, "claimed")
        # the salesperson reads their report and goes from it to the visit
        self.assertEqual(sheet.with_user(self.ka_user).total_amount, 430)
        action = sheet.with_user(self.ka_user).action_open_ka_document()
        self.assertEqual(action["res_model"], visit._name)
        self.assertEqual(action["res_id"], visit.id)
        action = visit.with_user(self.ka_user).action_open_expense_sheets()
        self.assertEqual(action["res_id"], sheet.id)

    def test_finance_posts_and_pays_and_the_visit_is_reimbursed(self):
        visit = self._done_visit()
        self._claim(visit)
        sheet = visit.ka_expense_sheet_ids
        with self.assertRaises(UserError):
            # the approved report is paid in Expenses, not marked by hand
            visit.with_user(self.ka_approver).action_reimburse_expenses()
        sheet.with_user(self.accountant).action_sheet_move_post()
        self.assertEqual(sheet.state, "post")
        self.assertEqual(visit.expense_state, "claimed")
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=sheet.account_move_ids.ids
        ).create({})._create_payments()
        self.assertIn(sheet.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            set(visit.expense_line_ids.mapped("reimbursement_state")), {"reimbursed"}
        )
        self.assertTrue(all(visit.expense_line_ids.mapped("reimbursed_date")))
        self.assertEqual(visit.expense_state, "reimbursed")
        self.assertEqual(visit.amount_reimbursed, 430)
        # the commission reads the reimbursed expenses of the salesperson
        day = visit.expense_line_ids[0].reimbursed_date
        self.assertEqual(
            self.env["key_account.expense"]._ka_reimbursed_by_user(
                self.ka_user, day, day
            ),
            {self.ka_user.id: 430},
        )

        # the payment undone, the expenses are claimed again
        sheet.account_move_ids._get_reconciled_payments().with_user(
            self.accountant
        ).action_draft()
        self.assertEqual(sheet.payment_state, "not_paid")
        self.assertEqual(
            set(visit.expense_line_ids.mapped("reimbursement_state")), {"claimed"}
        )
        self.assertFalse(any(visit.expense_line_ids.mapped("reimbursed_date")))

    def test_a_refused_report_gives_the_expenses_back_to_claim(self):
        visit = self._done_visit()
        self._claim(visit)
        first = visit.ka_expense_sheet_ids
        first.with_user(self.accountant)._do_refuse("No receipt for the lunch")
        self.assertEqual(first.state, "cancel")
        self.assertEqual(
            set(visit.expense_line_ids.mapped("reimbursement_state")), {"not_claimed"}
        )
        # corrected and claimed again: a new report
        lunch = visit.expense_line_ids.filtered(lambda line: line.name == "Lunch")
        lunch.with_user(self.ka_user).write({"receipt": "UmVjZWlwdA=="})
        self._claim(visit)
        second = visit.ka_expense_sheet_ids - first
        self.assertEqual(second.state, "approve")
        self.assertEqual(visit.expense_line_ids.ka_expense_sheet_id, second)
        self.assertEqual(visit.expense_state, "claimed")

    def test_a_reception_claims_its_expenses_too(self):
        reception = (
            self.env["key_account.reception"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.account.id,
                    "guest_ids": [Command.set(self.buyer.ids)],
                    "guest_count": 1,
                    "planned_line_ids": [
                        Command.create(
                            {
                                "kind": "planned",
                                "expense_type": "hospitality",
                                "name": "Dinner",
                                "amount": 100,
                            }
                        )
                    ],
                }
            )
        )
        reception.action_submit()
        reception.with_user(self.ka_manager).action_approve()
        reception.with_user(self.ka_user).write(
            {
                "report": "<p>Went well</p>",
                "expense_line_ids": [
                    Command.create(
                        {"expense_type": "gift", "name": "Flowers", "amount": 60}
                    )
                ],
            }
        )
        reception.with_user(self.ka_user).action_done()
        reception.with_user(self.ka_user).action_claim_expenses()
        sheet = reception.ka_expense_sheet_ids
        self.assertEqual(sheet.ka_reception_id, reception)
        self.assertEqual(
            sheet.expense_line_ids.product_id,
            self.env.ref("hr_expense.expense_product_gift"),
        )
        self._pay(sheet)
        self.assertEqual(reception.expense_state, "reimbursed")

    # ---- what to set up --------------------------------------------------------------
    def test_a_salesperson_without_an_employee_is_told_what_to_set_up(self):
        visit = self._done_visit()
        self.employee.user_id = False
        with self.assertRaisesRegex(UserError, "Sam Salesman has no employee in"):
            self._claim(visit)
        self.assertFalse(visit.ka_expense_sheet_ids)
        self.assertFalse(
            self.env["hr.expense"].search([("ka_expense_ids", "!=", False)])
        )
        self.assertEqual(
            set(visit.expense_line_ids.mapped("reimbursement_state")), {"not_claimed"}
        )
        # an employee of another company does not reimburse this one's visits
        other = self.env["res.company"].create({"name": "Other Co"})
        self.employee.write({"user_id": self.ka_user.id, "company_id": other.id})
        with self.assertRaisesRegex(UserError, "has no employee in"):
            self._claim(visit)

    def test_the_categories_are_configurable_per_company(self):
        visit = self._done_visit()
        taxi = self.env["product.product"].create(
            {"name": "Taxi", "can_be_expensed": True, "type": "service"}
        )
        self.env["key_account.expense.product"].with_user(self.ka_manager).create(
            {
                "expense_type": "transport",
                "product_id": taxi.id,
                "company_id": self.company.id,
            }
        )
        self._claim(visit)
        self.assertEqual(
            visit.expense_line_ids.ka_hr_expense_id.product_id,
            taxi | self.product_meal,
        )
        # a salesperson does not change them
        with self.assertRaises(AccessError):
            self.env["key_account.expense.product"].with_user(self.ka_user).create(
                {"expense_type": "club", "product_id": taxi.id}
            )

    def test_a_type_without_category_is_named(self):
        visit = self._done_visit()
        self.env.ref(
            "key_account_hr_expense.key_account_expense_product_hospitality"
        ).unlink()
        with self.assertRaisesRegex(UserError, "Hospitality"):
            self._claim(visit)
        self.assertFalse(visit.ka_expense_sheet_ids)

    # ---- controls --------------------------------------------------------------------
    def test_a_colleague_cannot_claim_nor_link(self):
        visit = self._done_visit()
        with self.assertRaises(AccessError):
            self._claim(visit, user=self.ka_user2)
        self.assertFalse(visit.ka_expense_sheet_ids)
        self._claim(visit)
        sheet = visit.ka_expense_sheet_ids
        line = visit.expense_line_ids[0]
        hostile = line.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            hostile.write({"ka_hr_expense_id": False})
        with self.assertRaises(AccessError):
            self.env["hr.expense.sheet"].with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).create(
                {
                    "name": "Mine",
                    "employee_id": self.employee.id,
                    "ka_visit_id": visit.id,
                }
            )
        with self.assertRaises(AccessError):
            sheet.with_user(self.accountant).with_context(**HOSTILE_CONTEXT).write(
                {"ka_visit_id": False}
            )
        self.assertEqual(sheet.ka_visit_id, visit)
        self.assertEqual(line.ka_expense_sheet_id, sheet)
        # nor is a reported expense marked reimbursed by hand
        with self.assertRaises(UserError):
            line.with_user(self.ka_approver).action_reimburse()
        self.assertEqual(line.reimbursement_state, "claimed")

    def test_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["key_account", "key_account_hr_expense"], ["zh_CN"], overwrite=True
        )
        self.ka_user.lang = "zh_CN"
        visit = self._done_visit()
        self.employee.user_id = False
        with self.assertRaisesRegex(UserError, "没有员工档案"):
            visit.with_user(self.ka_user).with_context(
                lang="zh_CN"
            ).action_claim_expenses()
        menu = self.env.ref("key_account_hr_expense.key_account_expense_product_menu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "费用类别")
