from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestConfiguration(KeyAccountCase):
    """Bad configuration is refused with a clear message, nothing written."""

    def assertRefused(self, record, vals, message=None):
        before = record.read(list(vals))[0]
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            record.write(vals)
            record.flush_recordset()
        self.env.invalidate_all()
        self.assertEqual(record.read(list(vals))[0], before)
        if message:
            self.assertIn(message, str(caught.exception))
        return caught.exception

    def test_thresholds_must_decrease(self):
        error = self.assertRefused(self.grade_b, {"min_sales_12m": 1_000_000})
        self.assertIn("B", str(error))
        self.assertIn("A", str(error))
        self.assertRefused(self.grade_c, {"min_sales_12m": 250_000}, "grade C")
        # re-ranking by sequence is checked too
        self.assertRefused(self.grade_c, {"sequence": 1})
        # a valid change goes through
        self.grade_b.min_sales_12m = 999_999
        self.assertEqual(self.grade_b.min_sales_12m, 999_999)

    def test_negative_amounts_and_months(self):
        self.assertRefused(self.grade_c, {"min_sales_12m": -1}, "negative")
        self.assertRefused(self.grade_a, {"inactive_months": -3}, "negative")
        self.assertRefused(self.grade_a, {"visit_interval_days": -1})
        self.assertRefused(self.grade_a, {"contact_interval_days": -1})

    def test_code_unique_per_company(self):
        Grade = self.env["key_account.grade"]
        with self.assertRaises(ValidationError), self.cr.savepoint():
            Grade.create({"name": "Another A", "code": "A", "sequence": 5})
        other = self.env["res.company"].create({"name": "Other Co"})
        # a company may not reuse a code shared by all companies either
        with self.assertRaises(ValidationError), self.cr.savepoint():
            Grade.create(
                {"name": "A", "code": "A", "sequence": 5, "company_id": other.id}
            )
        top = {"name": "E", "code": "E", "sequence": 1, "min_sales_12m": 9_000_000}
        own = Grade.create({**top, "company_id": other.id})
        third = self.env["res.company"].create({"name": "Third Co"})
        Grade.create({**top, "company_id": third.id})
        self.assertEqual(own.code, "E")
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.env["key_account.type"].create({"name": "Dup", "code": "strategic"})

    def test_one_dormant_grade(self):
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.env["key_account.grade"].create(
                {"name": "Z", "code": "Z", "sequence": 90, "is_dormant": True}
            )

    def test_partner_amounts(self):
        partner = self._account()
        self.assertRefused(partner, {"ka_staff_count": -5}, "negative")
        self.assertRefused(partner, {"ka_budget_min": 10_000, "ka_budget_max": 5_000})

    def test_manifest_ships_code_files_as_data(self):
        """Reports, views and security load without demo data too."""
        manifest = self.env["ir.module.module"].get_module_info("key_account")
        self.assertTrue(all(f.startswith("demo/") for f in manifest["demo"]))
        self.assertIn(
            "report/key_account_commission_settlement_reports.xml", manifest["data"]
        )
