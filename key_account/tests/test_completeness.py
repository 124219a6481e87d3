from odoo.tests import Form
from odoo.tests import tagged

from .common import KeyAccountCase

FULL_FILE = {
    "ka_staff_count": 120,
    "street": "88 Century Avenue",
    "city": "Shanghai",
    "phone": "+86 21 5555 0101",
    "ka_main_business": "Industrial valves",
    "ka_decision_process": "Buyer proposes, general manager signs above 50k",
}


@tagged("post_install", "-at_install")
class TestCompleteness(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.industry = cls.env["res.partner.industry"].create({"name": "Valves"})
        cls.checks = cls.env["key_account.file.check"].search([])

    def _contact(self, company, role):
        return self.env["res.partner"].create(
            {
                "name": f"{role} of {company.name}",
                "parent_id": company.id,
                "ka_role": role,
            }
        )

    def test_each_criterion_follows_its_fields(self):
        """Each criterion is declared once (label, fields, test): filling only
        what it reads makes a checklist of it alone complete, recomputed
        through the fields it declares."""
        fills = {
            "industry": {"industry_id": self.industry.id},
            "size": {"ka_annual_revenue": 5_000_000},
            "address": {"street": "1 Bund", "city": "Shanghai"},
            "phone_email": {"email": "buy@example.com"},
            "main_business": {"ka_main_business": "Valves"},
            "decision_process": {"ka_decision_process": "The board"},
            "decision_maker": "decision_maker",
            "buyer": "buyer",
            "need": {"ka_need": "Spare parts"},
            "expected_purchase": {"ka_expected_purchase_date": "2026-12-01"},
            "budget": {"ka_budget_max": 80_000},
            "website": {"website": "https://example.com"},
            "vat": {"vat": "CN123"},
            # a person's
            "date_of_birth": {"ka_date_of_birth": "1970-05-04"},
            "education": {"ka_education": "Master"},
            "occupation": {"ka_position": "Director"},
            "family": {"ka_marital_status": "married"},
            "interests": {"ka_social_circle": "Golf club"},
            "personality": {"ka_personality": "Cautious"},
            "owned_products": {"ka_owned_pieces": 3},
            "style_service_needs": {"ka_service_needs": "Home delivery"},
            "sensitivity": {
                "ka_price_sensitivity": "low",
                "ka_product_sensitivity": "high",
            },
            # both kinds
            "credit_rating": {"ka_credit_rating": "a"},
            "strengths": {"ka_weaknesses": "Far away", "ka_countermeasures": "Visits"},
            # a company's
            "org_chart": {"ka_org_chart": "Board and two plants"},
            "history": {"ka_history": "Founded 1990"},
            "competitors": {"ka_competitors": "Acme"},
            "suppliers": {"ka_suppliers": "Steel Co"},
            "our_share": {"ka_our_share": 12.5},
        }
        Check = self.env["key_account.file.check"].with_context(active_test=False)
        criteria = dict(Check._fields["criterion"].selection)
        self.assertEqual(set(fills), set(criteria))
        checks = Check.search([])
        self.assertEqual(set(checks.mapped("criterion")), set(criteria))
        for code, fill in fills.items():
            with self.subTest(criterion=code):
                checks.active = False
                check = checks.filtered(lambda check, c=code: check.criterion == c)
                check.active = True
                # scored on an account of the kind it applies to
                account = self._account(
                    f"Filled {code}", is_company=check.applies_to != "person"
                )
                self.assertEqual(account.ka_file_completeness, 0)
                if isinstance(fill, str):
                    self._contact(account, fill)
                else:
                    account.write(fill)
                self.assertEqual(account.ka_file_completeness, 100)

    def test_default_checklist(self):
        # a company's (a person's: TestCustomerFileKinds)
        company_checks = self.checks.filtered(
            lambda c: c.applies_to in ("company", "both")
        )
        self.assertEqual(
            sorted(company_checks.mapped("criterion")),
            sorted(
                [
                    "industry",
                    "size",
                    "address",
                    "phone_email",
                    "main_business",
                    "decision_process",
                    "decision_maker",
                    "buyer",
                ]
            ),
        )

    def test_share_of_the_checklist(self):
        partner = self._account()
        self.assertEqual(partner.ka_file_completeness, 0)
        partner.write({"industry_id": self.industry.id, "ka_staff_count": 10})
        self.assertEqual(partner.ka_file_completeness, 25)  # 2 of 8
        partner.write(FULL_FILE)
        self.assertEqual(partner.ka_file_completeness, 75)  # 6 of 8
        self._contact(partner, "decision_maker")
        self.assertEqual(partner.ka_file_completeness, 88)  # 7 of 8, rounded
        buyer = self._contact(partner, "buyer")
        self.assertEqual(partner.ka_file_completeness, 100)
        buyer.active = False
        self.assertEqual(partner.ka_file_completeness, 88)

    def test_size_by_revenue_and_contact_by_email(self):
        partner = self._account(ka_annual_revenue=5_000_000, email="info@example.com")
        self.assertEqual(partner.ka_file_completeness, 25)

    def test_checklist_change_recomputes(self):
        partner = self._account(industry_id=self.industry.id, **FULL_FILE)
        self.assertEqual(partner.ka_file_completeness, 75)
        (self.checks - self.checks.filtered(lambda c: c.criterion == "industry")).write(
            {"active": False}
        )
        self.assertEqual(partner.ka_file_completeness, 100)
        website = self.env.ref("key_account.key_account_file_check_website")
        website.active = True
        self.assertEqual(partner.ka_file_completeness, 50)

    def test_filled_through_the_form(self):
        # by its owner: the file is theirs to fill
        partner = self._account(user_id=self.ka_user.id)
        self._contact(partner, "buyer")
        with Form(partner.with_user(self.ka_user)) as form:
            form.industry_id = self.industry
            form.ka_main_business = "Cement"
            form.ka_decision_process = "Board decides"
        self.assertEqual(partner.ka_file_completeness, 50)

    def test_not_a_key_account(self):
        plain = self.env["res.partner"].create(
            {"name": "Plain", "is_company": True, "industry_id": self.industry.id}
        )
        self.assertEqual(plain.ka_file_completeness, 0)
