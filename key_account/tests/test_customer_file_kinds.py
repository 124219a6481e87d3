from datetime import date

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase

# a person's file (seed 000 form 1): distinctive values, none of which may
# reach a reader who may not read the file
PERSON_FILE = {
    "ka_date_of_birth": date(1968, 8, 8),
    "ka_education": "Master of Fine Arts",
    "ka_occupation": "Gallery owner",
    "ka_position": "Chairwoman of the Guild",
    "ka_marital_status": "married",
    "ka_children": 2,
    "ka_family": "Daughter marries in October",
    "ka_interests": "Jade carving and tea",
    "ka_social_circle": "Collectors' club of the Bund",
    "ka_personality": "Decides fast, hates haggling",
    "ka_owned_products": "Imperial green bangle, 1 piece, 380,000",
    "ka_owned_pieces": 7,
    "ka_owned_amount": 912_345.0,
    "ka_style_needs": "Classic settings, no rose gold",
    "ka_service_needs": "Private viewings after hours",
    "ka_price_sensitivity": "low",
    "ka_product_sensitivity": "high",
    "ka_credit_rating": "a",
    "ka_strengths": "Our master carver",
    "ka_weaknesses": "Small showroom",
    "ka_countermeasures": "Viewings at her gallery",
}
COMPANY_FILE = {
    "ka_staff_count": 260,
    "ka_main_business": "Hotel chain gifts",
    "ka_org_chart": "Group board over three purchasing hubs",
    "ka_history": "Founded 1992 in Hangzhou",
    "ka_competitors": "Lotus Hotels",
    "ka_suppliers": "Golden Phoenix Jewellers",
    "ka_our_share": 35.5,
    "ka_credit_rating": "b",
    "ka_strengths": "Delivery in two days",
    "ka_weaknesses": "No engraving line",
    "ka_countermeasures": "Partner engraver",
}
PERSON_ONLY = ("date_of_birth", "education", "occupation", "personality")
COMPANY_ONLY = ("industry", "size", "main_business", "org_chart", "history")
REPORT = "key_account.report_customer_file"


@tagged("post_install", "-at_install")
class TestCustomerFileKinds(KeyAccountCase):
    """A person key account (no parent company) beside a company one, both
    owned by ``ka_user``: their files, their completeness per kind, the
    printed form; ``ka_user2`` is a colleague, ``manager2`` a Key Account
    manager of a second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Second Co"})
        cls.manager2 = new_test_user(
            cls.env,
            login="ka_manager_second_kinds",
            name="Sue Second",
            groups="key_account.group_key_account_manager",
            company_id=cls.company2.id,
            company_ids=[cls.company2.id],
        )
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Madam Lin",
                "is_company": False,
                "ka_type_id": cls.type_strategic.id,
                "user_id": cls.ka_user.id,
                "company_id": cls.company.id,
            }
        )
        cls.firm = cls._account(
            "Lakeside Hotels", user_id=cls.ka_user.id, company_id=cls.company.id
        )
        cls.accounts = cls.person | cls.firm
        cls.Check = cls.env["key_account.file.check"].with_context(active_test=False)

    def _as(self, user, records):
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def _only_checks(self, *criteria):
        """Count only these items of the checklist, each with its own kind."""
        checks = self.Check.search([])
        checks.active = False
        checks.filtered(lambda c: c.criterion in criteria).active = True

    def _html(self, user, partners):
        return (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html(REPORT, partners.ids)[0]
            .decode()
        )

    # ---- the files ---------------------------------------------------
    def test_person_and_company_files_side_by_side(self):
        self._as(self.ka_user, self.person).write(PERSON_FILE)
        self._as(self.ka_user, self.firm).write(COMPANY_FILE)
        self.env.invalidate_all()
        # the owner reads each file back through the partner
        self.assertRecordValues(self._as(self.ka_user, self.person), [PERSON_FILE])
        self.assertRecordValues(self._as(self.ka_user, self.firm), [COMPANY_FILE])
        # stored on the confidential files, one per account
        files = self.env["key_account.file"].search(
            [("partner_id", "in", self.accounts.ids)]
        )
        self.assertEqual(files.partner_id, self.accounts)
        person_file = files.filtered(lambda f: f.partner_id == self.person)
        self.assertEqual(person_file.owned_amount, 912_345.0)
        self.assertEqual(person_file.currency_id, self.company.currency_id)
        self.assertFalse(person_file.org_chart)
        # a colleague and a second company's manager read none of it
        for fields_ in (PERSON_FILE, COMPANY_FILE):
            empty = self._as(self.ka_user2, self.accounts).read(list(fields_))
            for row in empty:
                self.assertFalse(any(row[f] for f in fields_), row)
        with self.assertRaises(AccessError):
            self._as(self.manager2, self.person).read(["ka_personality"])
        self.assertFalse(
            self._as(self.manager2, self.env["key_account.file"]).search(
                [("partner_id", "in", self.accounts.ids)]
            )
        )
        # nor writes it
        with self.assertRaises(AccessError):
            self._as(self.ka_user2, self.person).write({"ka_personality": "Mine now"})
        self.assertEqual(person_file.personality, PERSON_FILE["ka_personality"])

    def test_bad_numbers_refused(self):
        for vals in (
            {"ka_children": -1},
            {"ka_owned_pieces": -3},
            {"ka_owned_amount": -10.0},
            {"ka_our_share": 120.0},
            {"ka_our_share": -1.0},
            {"ka_owned_amount": float("nan")},
            {"ka_date_of_birth": "9999-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._as(self.ka_user, self.person).write(vals)
        self._as(self.ka_user, self.firm).write({"ka_our_share": 100.0})
        self.assertEqual(self.firm.ka_our_share, 100.0)

    def test_form_shows_the_fields_of_the_kind(self):
        person_form = Form(self._as(self.ka_user, self.person))
        firm_form = Form(self._as(self.ka_user, self.firm))
        for fname in ("ka_date_of_birth", "ka_personality", "ka_owned_products"):
            with self.subTest(field=fname):
                self.assertFalse(person_form._get_modifier(fname, "invisible"))
                self.assertTrue(firm_form._get_modifier(fname, "invisible"))
        for fname in ("ka_org_chart", "ka_competitors", "ka_staff_count"):
            with self.subTest(field=fname):
                self.assertTrue(person_form._get_modifier(fname, "invisible"))
                self.assertFalse(firm_form._get_modifier(fname, "invisible"))
        # our position with the customer: both kinds
        self.assertFalse(person_form._get_modifier("ka_credit_rating", "invisible"))
        self.assertFalse(firm_form._get_modifier("ka_credit_rating", "invisible"))
        # the owner fills a person's file through the form
        person_form.ka_personality = "Warm"
        person_form.save()
        self.assertEqual(self.person.ka_file_ids.personality, "Warm")

    # ---- completeness per kind ---------------------------------------------------
    def test_shipped_checklist_sets_the_kinds(self):
        checks = self.Check.search([])
        kinds = {check.criterion: check.applies_to for check in checks}
        for criterion in PERSON_ONLY:
            self.assertEqual(kinds[criterion], "person", criterion)
        for criterion in COMPANY_ONLY:
            self.assertEqual(kinds[criterion], "company", criterion)
        for criterion in ("address", "phone_email", "credit_rating", "strengths"):
            self.assertEqual(kinds[criterion], "both", criterion)
        # counted by default: a person's items for persons, the company's as before
        counted = checks.filtered("active")
        self.assertEqual(
            set(
                counted.filtered(lambda c: c.applies_to == "person").mapped("criterion")
            ),
            {
                "date_of_birth",
                "education",
                "occupation",
                "family",
                "interests",
                "personality",
                "owned_products",
                "style_service_needs",
                "sensitivity",
            },
        )

    def test_each_kind_scored_on_its_own_items(self):
        self._only_checks("address", "date_of_birth", "personality", "industry", "size")
        industry = self.env["res.partner.industry"].create({"name": "Hotels"})
        # a company's fields on a person count nothing, and the reverse
        self.person.write(
            {"industry_id": industry.id, "ka_staff_count": 40, "street": "1 Bund"}
        )
        self.firm.write({"ka_date_of_birth": "1970-01-01", "ka_personality": "Stern"})
        self.assertEqual(self.person.ka_file_completeness, 0)
        self.assertEqual(self.firm.ka_file_completeness, 0)
        # a person: address, date of birth, personality (3 items)
        self.person.write({"city": "Shanghai", "ka_personality": "Warm"})
        self.assertEqual(self.person.ka_file_completeness, 67)
        self.person.ka_date_of_birth = date(1968, 8, 8)
        self.assertEqual(self.person.ka_file_completeness, 100)
        # a company: address, industry, size (3 items)
        self.firm.write({"industry_id": industry.id, "ka_staff_count": 80})
        self.assertEqual(self.firm.ka_file_completeness, 67)

    def test_switching_kind_rescores(self):
        self._only_checks("phone_email", "personality", "history")
        self.person.write({"phone": "+86 138 0000 0000", "ka_personality": "Warm"})
        self.assertEqual(self.person.ka_file_completeness, 100)
        # the same partner as a company: phone, history
        self.person.is_company = True
        self.assertEqual(self.person.ka_file_completeness, 50)
        self.person.ka_history = "Opened a shop in 2019"
        self.assertEqual(self.person.ka_file_completeness, 100)
        # and back, the stored value in the database too
        self.person.is_company = False
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ka_file_completeness FROM res_partner WHERE id = %s",
            [self.person.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 100)
        self.person.ka_personality = False
        self.assertEqual(self.person.ka_file_completeness, 50)

    def test_kind_of_an_item_is_configurable(self):
        self._only_checks("address", "industry")
        industry = self.env["res.partner.industry"].create({"name": "Jade"})
        self.accounts.write(
            {"street": "1 Bund", "city": "Shanghai", "industry_id": industry.id}
        )
        self.assertEqual(self.person.ka_file_completeness, 100)
        self.assertEqual(self.firm.ka_file_completeness, 100)
        check = self.Check.search([("criterion", "=", "industry")])
        # scored for persons too: recomputed at once
        check.applies_to = "both"
        self.person.industry_id = False
        self.assertEqual(self.person.ka_file_completeness, 50)
        # for persons only: the company no longer scored on it
        check.applies_to = "person"
        self.firm.industry_id = False
        self.assertEqual(self.firm.ka_file_completeness, 100)
        # a new item takes its criterion's kind unless told
        check.unlink()
        new = self.Check.create({"name": "Industry", "criterion": "industry"})
        self.assertEqual(new.applies_to, "company")
        self.assertEqual(self.firm.ka_file_completeness, 50)
        self.assertEqual(self.person.ka_file_completeness, 100)

    def test_org_chart_by_text_or_relationship_map(self):
        self._only_checks("org_chart")
        self.assertEqual(self.firm.ka_file_completeness, 0)
        boss = self.env["res.partner"].create(
            {"name": "Mr Gao", "parent_id": self.firm.id, "ka_role": "influencer"}
        )
        self.assertEqual(self.firm.ka_file_completeness, 100)
        boss.active = False
        self.assertEqual(self.firm.ka_file_completeness, 0)
        self.firm.ka_org_chart = "Board, purchasing, finance"
        self.assertEqual(self.firm.ka_file_completeness, 100)
        # not an item of a person's checklist
        self.assertEqual(self.person.ka_file_completeness, 0)

    # ---- the printed form ---------------------------------------------------
    def test_printed_form_of_each_kind(self):
        self.person.write({**PERSON_FILE, "street": "9 Nanjing Road"})
        self.firm.write(COMPANY_FILE)
        self.env["res.partner"].create(
            {"name": "Mr Gao", "parent_id": self.firm.id, "ka_role": "decision_maker"}
        )
        self._order(self.person, 5_000.0, user=self.ka_user)
        html = self._html(self.ka_user, self.person)
        self.assertIn("ka_file_person", html)
        self.assertNotIn("ka_file_company", html)
        for text in (
            "Madam Lin",
            "Gallery owner",
            "Jade carving and tea",
            "Imperial green bangle",
            "Private viewings after hours",
            "Our master carver",
            "Viewings at her gallery",
            "9 Nanjing Road",
            "ka_file_transactions",
            "ka_signatures",
        ):
            self.assertIn(text, html)
        self.assertIn(self.person.sale_order_ids.name, html)
        html = self._html(self.ka_user, self.firm)
        self.assertIn("ka_file_company", html)
        self.assertNotIn("ka_file_person", html)
        for text in (
            "Group board over three purchasing hubs",
            "Founded 1992 in Hangzhou",
            "Lotus Hotels",
            "Golden Phoenix Jewellers",
            "Mr Gao",
            "Partner engraver",
        ):
            self.assertIn(text, html)
        # printed from a contact: its company's file
        html = self._html(self.ka_user, self.firm.child_ids)
        self.assertIn("Lotus Hotels", html)
        # both in one print, and by a manager
        html = self._html(self.ka_manager, self.accounts)
        self.assertIn("Gallery owner", html)
        self.assertIn("Lotus Hotels", html)

    def test_printed_form_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.ka_user.lang = "zh_CN"
        self.person.write(PERSON_FILE)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.ka_user)
            .with_context(lang="zh_CN")
            ._render_qweb_html(REPORT, self.person.ids)[0]
            .decode()
        )
        self.assertIn("ka_lang_zh_CN", html)
        self.assertIn("Noto Sans CJK SC", html)
        self.assertIn("Gallery owner", html)

    def test_blank_form_for_a_new_file(self):
        # no file yet: the owner prints the blank form to fill by hand
        self.assertFalse(self.person.ka_file_ids)
        html = self._html(self.ka_user, self.person)
        self.assertIn("ka_file_person", html)
        self.assertFalse(self.person.ka_file_ids)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_who_may_print(self):
        self.person.write(PERSON_FILE)
        self.firm.write(COMPANY_FILE)
        fresh = self._account("Fresh Co", user_id=self.ka_user.id)
        for user, partners in (
            (self.ka_user2, self.person),
            (self.ka_user2, self.firm),
            (self.ka_user2, fresh),
            (self.manager2, self.person),
            (self.outsider, self.firm),
        ):
            with self.subTest(user=user.login, account=partners.name):
                html = None
                with self.assertRaises(AccessError):
                    html = self._html(user, partners)
                self.assertIsNone(html)
        # a colleague's account in a print of their own: refused as a whole
        theirs = self._account("Theirs Co", user_id=self.ka_user2.id)
        with self.assertRaises(AccessError):
            self._html(self.ka_user2, theirs | self.person)
        self.assertIn("Theirs Co", self._html(self.ka_user2, theirs))
        # a member of the account's team reads its file: they print it
        self.env["key_account.team.member"].create(
            {"partner_id": self.firm.id, "user_id": self.ka_user2.id}
        )
        self.assertIn("Lotus Hotels", self._html(self.ka_user2, self.firm))
        # the print action is offered to Key Account users only
        action = self.env.ref("key_account.key_account_customer_file_report")
        self.assertEqual(
            action.groups_id, self.env.ref("key_account.group_key_account_user")
        )
