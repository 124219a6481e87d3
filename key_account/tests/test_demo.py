from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestDemo(KeyAccountCase):
    """The demo data tells a newcomer something: real grades from real orders."""

    def setUp(self):
        super().setUp()
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "key_account"),
                ("model", "=", "res.partner"),
                ("name", "=like", "res_partner_ka_%_demo"),
                ("name", "not like", "contact"),
            ]
        )
        if not data:
            self.skipTest("installed without demo data")
        self.accounts = self.env["res.partner"].browse(data.mapped("res_id"))

    def test_accounts_across_types_grades_and_owners(self):
        self.assertEqual(len(self.accounts), 30)
        self.assertEqual(
            set(self.accounts.ka_grade_id.mapped("code")), {"A", "B", "C", "D"}
        )
        self.assertEqual(len(self.accounts.ka_type_id), 5)
        self.assertTrue(self.accounts.filtered(lambda p: not p.user_id))
        self.assertGreaterEqual(len(self.accounts.user_id), 3)
        self.assertGreater(len(set(self.accounts.mapped("ka_file_completeness"))), 3)

    def test_grades_come_from_the_orders(self):
        for account in self.accounts:
            grade = account.ka_grade_id
            with self.subTest(account=account.name, grade=grade.code):
                if grade.is_dormant:
                    self.assertEqual(account.ka_sales_12m, 0)
                    self.assertTrue(account.ka_last_order_date)
                else:
                    self.assertGreaterEqual(account.ka_sales_12m, grade.min_sales_12m)
        self.assertTrue(self.accounts.filtered(lambda p: p.ka_grade_history_ids))
        # orders of a contact count for its company
        by_contact = self.env["sale.order"].search(
            [
                ("partner_id.parent_id", "in", self.accounts.ids),
                ("state", "=", "sale"),
            ]
        )
        self.assertTrue(by_contact)
        self.assertTrue(
            self.env["sale.order"].search_count(
                [("state", "=", "draft"), ("partner_id", "in", self.accounts.ids)]
            )
        )

    def test_relationship_maps(self):
        contacts = self.accounts.child_ids
        self.assertGreaterEqual(len(contacts), 30)
        self.assertEqual(
            set(contacts.mapped("ka_role")) - {False},
            {"buyer", "decision_maker", "influencer", "user"},
        )
