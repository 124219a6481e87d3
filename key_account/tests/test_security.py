from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KeyAccountCase

SENSITIVE_COMPANY = [
    "ka_source",
    "ka_staff_count",
    "ka_annual_revenue",
    "ka_main_business",
    "ka_decision_process",
    "ka_need",
    "ka_expected_purchase_date",
    "ka_budget_min",
    "ka_budget_max",
    "ka_contact_ids",
    "ka_sales_12m",
    "ka_owner_sales_12m",
]
SENSITIVE_CONTACT = [
    "ka_role",
    "ka_influence",
    "ka_relationship",
    "ka_competitor_relationship",
    "ka_birthday",
    "ka_hobbies",
    "ka_notes",
]


@tagged("post_install", "-at_install")
class TestSecurity(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._account(
            "Secret Co",
            user_id=cls.ka_user.id,
            ka_decision_process="CEO decides alone",
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Mr Wang",
                "parent_id": cls.account.id,
                "ka_role": "decision_maker",
                "ka_hobbies": "Go, tea",
                "ka_birthday": "1970-05-04",
            }
        )

    def test_sensitive_fields_hidden_from_other_users(self):
        account = self.account.with_user(self.outsider)
        contact = self.contact.with_user(self.outsider)
        # the partner itself stays visible to the rest of Odoo
        self.assertEqual(account.name, "Secret Co")
        self.assertIn(
            self.account, self.env["res.partner"].with_user(self.outsider).search([])
        )
        for fname in SENSITIVE_COMPANY:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                account.read([fname])
        for fname in SENSITIVE_CONTACT:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                contact.read([fname])
        # nor does the form give them away
        arch = (
            self.env["res.partner"]
            .with_user(self.outsider)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for fname in [*SENSITIVE_COMPANY, "ka_hobbies"]:
            self.assertNotIn(f'name="{fname}"', arch)

    def test_key_account_users_read_them(self):
        # the owner of the account (test_confidential_file: nobody else)
        contact = self.contact.with_user(self.ka_user)
        self.assertEqual(contact.ka_hobbies, "Go, tea")
        self.assertEqual(
            self.account.with_user(self.ka_user).ka_contact_ids, self.contact
        )
        arch = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="ka_decision_process"', arch)

    def test_configuration_is_for_managers(self):
        Grade = self.env["key_account.grade"]
        Type = self.env["key_account.type"]
        Check = self.env["key_account.file.check"]
        for user in (self.ka_user, self.outsider):
            with self.subTest(user=user.login):
                self.assertTrue(Grade.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    self.grade_b.with_user(user).min_sales_12m = 1
                with self.assertRaises(AccessError):
                    Type.with_user(user).create({"name": "Mine", "code": "mine"})
                with self.assertRaises(AccessError):
                    Check.with_user(user).search([]).write({"active": False})
                with self.assertRaises(AccessError):
                    self.grade_d.with_user(user).unlink()
        self.grade_b.with_user(self.ka_manager).min_sales_12m = 300_000
        Type.with_user(self.ka_manager).create({"name": "Channel", "code": "channel"})
        self.assertEqual(self.grade_b.min_sales_12m, 300_000)

    def test_grade_history_is_read_only(self):
        self.account.with_user(self.ka_manager).ka_grade_id = self.grade_b
        row = self.account.ka_grade_history_ids
        # the owner reads it (test_confidential_file: nobody else)
        self.assertEqual(len(row.with_user(self.ka_user).read(["new_grade_id"])), 1)
        with self.assertRaises(AccessError):
            row.with_user(self.ka_user).new_grade_id = self.grade_a
        with self.assertRaises(AccessError):
            self.env["key_account.grade.history"].with_user(self.ka_manager).create(
                {"partner_id": self.account.id, "new_grade_id": self.grade_a.id}
            )

    def test_multi_company_grades(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        theirs = self.env["key_account.grade"].create(
            {
                "name": "Z",
                "code": "Z",
                "sequence": 1,
                "min_sales_12m": 8_000_000,
                "company_id": other.id,
            }
        )
        grades = self.env["key_account.grade"].with_user(self.ka_manager).search([])
        self.assertNotIn(theirs, grades)
        self.assertIn(self.grade_a, grades)

    def test_app_menu_for_key_account_groups(self):
        menu = self.env.ref("key_account.key_account_menu_root")
        visible = self.env["ir.ui.menu"].with_user(self.outsider)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.ka_user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        config = self.env.ref("key_account.key_account_menu_config")
        self.assertNotIn(config.id, visible)
