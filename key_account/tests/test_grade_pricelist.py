from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .test_multi_company import MultiCompanyCase


@tagged("post_install", "-at_install")
class TestGradePricelist(MultiCompanyCase):
    """Grade privileges (seed 000 §2.5): a grade's pricelist goes to the
    accounts getting the grade, in the company that grades them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Pricelist = cls.env["product.pricelist"]
        # shared by the companies, as the shared grades
        cls.pl_a = Pricelist.create({"name": "Grade A: 10% off", "company_id": False})
        cls.pl_b = Pricelist.create({"name": "Grade B: 5% off", "company_id": False})
        cls.pl_own = Pricelist.create({"name": "Negotiated", "company_id": False})
        cls.grade_a.pricelist_id = cls.pl_a
        cls.grade_b.pricelist_id = cls.pl_b
        cls.grade_c.pricelist_id = False

    def _pricelist(self, partner, company):
        return partner.with_company(company).specific_property_product_pricelist

    def test_regrading_gives_each_company_its_grade_pricelist(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer of Shared", "parent_id": self.shared.id}
        )
        self.env["res.partner"]._ka_cron_regrade()
        self.assertEqual(
            self.shared.with_company(self.company1).ka_grade_id, self.grade_a
        )
        self.assertEqual(
            self.shared.with_company(self.company2).ka_grade_id, self.grade_b
        )
        self.assertEqual(self._pricelist(self.shared, self.company1), self.pl_a)
        self.assertEqual(self._pricelist(self.shared, self.company2), self.pl_b)
        # what the sale orders read, the contacts' included
        self.assertEqual(
            self.shared.with_company(self.company1).property_product_pricelist,
            self.pl_a,
        )
        self.assertEqual(self._pricelist(contact, self.company1), self.pl_a)
        self.assertEqual(
            contact.with_company(self.company2).property_product_pricelist, self.pl_b
        )

    def test_grade_change_by_hand_gives_the_pricelist(self):
        account = self._account("Upgraded")
        self.assertNotEqual(self._pricelist(account, self.company1), self.pl_a)
        account.with_user(self.ka_manager).write({"ka_grade_id": self.grade_a.id})
        self.assertEqual(self._pricelist(account, self.company1), self.pl_a)
        self.assertFalse(self._pricelist(account, self.company2))

    def test_first_grading_gives_the_pricelist(self):
        account = (
            self.env["res.partner"]
            .with_user(self.ka_manager)
            .create(
                {
                    "name": "Graded From the Start",
                    "is_company": True,
                    "ka_type_id": self.type_strategic.id,
                    "ka_grade_id": self.grade_b.id,
                }
            )
        )
        self.assertEqual(self._pricelist(account, self.company1), self.pl_b)

    def test_grade_without_pricelist_keeps_the_account_pricelist(self):
        account = self._account("Negotiated Co")
        account.property_product_pricelist = self.pl_own
        account.with_user(self.ka_manager).write({"ka_grade_id": self.grade_c.id})
        self.assertEqual(account.ka_grade_id, self.grade_c)
        self.assertEqual(self._pricelist(account, self.company1), self.pl_own)

    def test_second_company_grade_and_pricelist_not_mixed(self):
        theirs = self.env["key_account.grade"].create(
            {
                "name": "Theirs",
                "code": "T2",
                "is_dormant": True,
                "company_id": self.company2.id,
                "pricelist_id": self.pricelist2.id,
            }
        )
        self.shared.with_company(self.company1).property_product_pricelist = self.pl_own
        self.shared.with_user(self.manager2).with_company(self.company2).write(
            {"ka_grade_id": theirs.id}
        )
        self.assertEqual(self._pricelist(self.shared, self.company2), self.pricelist2)
        self.assertEqual(self._pricelist(self.shared, self.company1), self.pl_own)
        self.assertFalse(self.shared.with_company(self.company1).ka_grade_id)

    def test_pricelist_of_another_company_refused(self):
        with self.assertRaises(ValidationError):
            self.grade_a.pricelist_id = self.pricelist2
        grade2 = self.env["key_account.grade"].create(
            {
                "name": "Own Table",
                "code": "O2",
                "is_dormant": True,
                "company_id": self.company2.id,
            }
        )
        with self.assertRaises(ValidationError):
            grade2.pricelist_id = self.pl_own.copy({"company_id": self.company1.id})

    def test_salesperson_cannot_set_a_pricelist_through_the_grade(self):
        account = self._account("Sam's Co", user_id=self.ka_user.id)
        account.property_product_pricelist = self.pl_own
        grade = self.grade_c.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            grade.write({"pricelist_id": self.pl_a.id})
        mine = account.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            mine.write({"ka_grade_id": self.grade_a.id})
        self.assertFalse(self.grade_c.pricelist_id)
        self.assertEqual(self._pricelist(account, self.company1), self.pl_own)
