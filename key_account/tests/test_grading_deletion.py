from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestTypeAndGradeDeletion(KeyAccountCase):
    """A key-account type or grade in use is archived, not deleted: deleting
    it would silently turn its accounts into ordinary customers, or leave
    them and the grade history without a grade."""

    def test_type_in_use_is_refused_and_archived_instead(self):
        ka_type = self.env["key_account.type"].create(
            {"name": "Global", "code": "GLOBAL"}
        )
        kept = self._account("Kept Co", ka_type_id=ka_type.id)
        archived = self._account("Sleeping Co", ka_type_id=ka_type.id)
        archived.active = False
        with self.assertRaisesRegex(UserError, "used by 2 accounts"):
            ka_type.unlink()
        self.assertTrue(ka_type.exists())
        self.assertEqual((kept | archived).ka_type_id, ka_type)
        ka_type.action_archive()
        self.assertFalse(ka_type.active)
        self.assertEqual(kept.ka_type_id, ka_type)

    def test_unused_type_is_deleted(self):
        ka_type = self.env["key_account.type"].create(
            {"name": "Unused", "code": "UNUSED"}
        )
        ka_type.unlink()
        self.assertFalse(ka_type.exists())

    def _grade(self):
        # ranked first and asking the most: the thresholds still decrease
        return self.env["key_account.grade"].create(
            {"name": "S", "code": "S", "sequence": 0, "min_sales_12m": 5_000_000}
        )

    def test_grade_of_an_account_in_another_company_is_refused(self):
        grade = self._grade()
        other = self.env["res.company"].create({"name": "Other Company"})
        partner = self._account("Abroad Co")
        partner.with_company(other).ka_grade_id = grade
        self.assertFalse(partner.ka_grade_id)  # not in this company
        # the change is in the grade history of the other company too
        with self.assertRaisesRegex(
            UserError, "used by 1 accounts and 1 grade history"
        ):
            grade.unlink()
        self.assertEqual(partner.with_company(other).ka_grade_id, grade)
        grade.action_archive()
        self.assertFalse(grade.active)

    def test_grade_of_history_rows_only_is_refused(self):
        grade = self._grade()
        partner = self._account("Past Co")
        self.env["key_account.grade.history"].create(
            [
                {"partner_id": partner.id, "old_grade_id": grade.id},
                {"partner_id": partner.id, "new_grade_id": grade.id},
            ]
        )
        with self.assertRaisesRegex(UserError, "0 accounts and 2 grade history"):
            grade.unlink()
        self.assertTrue(grade.exists())

    def test_unused_grade_is_deleted(self):
        grade = self._grade()
        grade.unlink()
        self.assertFalse(grade.exists())
