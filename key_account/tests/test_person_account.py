"""A person as a key account (seed 000 §二2.3: "individuals or companies with
high value or influence"): an individual customer, a person without a parent
company, goes through every process of the module beside a company, and a
contact of a company stays a contact."""

from datetime import date
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules.migration import load_script
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.account.key_account_review import quarter_start
from .common import HOSTILE_CONTEXT
from .common import EngagementCase

FOLLOWUP = "key_account.mail_activity_type_ka_followup"


@tagged("post_install", "-at_install")
class TestPersonAccount(EngagementCase):
    """``person`` (Lin Mei, an individual customer) beside ``account`` (Engaged
    Co, a company with two contacts), both owned by ``ka_user``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Lin Mei",
                "is_company": False,
                "ka_type_id": cls.type_strategic.id,
                "user_id": cls.ka_user.id,
                "ka_grade_id": cls.grade_b.id,
            }
        )
        cls.accounts = cls.account | cls.person
        cls.member = new_test_user(
            cls.env,
            login="ka_person_member",
            name="Mia Member",
            groups="key_account.group_key_account_user",
        )
        cls.company2 = cls.env["res.company"].create({"name": "Person Second Co"})
        cls.manager2 = new_test_user(
            cls.env,
            login="ka_person_c2",
            groups="key_account.group_key_account_manager",
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.gift_product = cls.env["product.product"].create(
            {"name": "Jade pendant", "standard_price": 120.0, "list_price": 200.0}
        )
        # the shipped pool rules and cadence, stated here; the key accounts
        # there before (demo data) stay out of the crons: locked, never due
        cls.company.write(
            {
                "ka_pool_followup_days": 30,
                "ka_pool_order_days": 90,
                "ka_pool_warning_days": 7,
                "ka_pool_order_exempt_days": 30,
                "ka_pool_max_owned": 50,
                "ka_pool_max_claims_per_day": 5,
                "ka_pool_cooldown_days": 30,
            }
        )
        (cls.grade_a | cls.grade_b | cls.grade_c | cls.grade_d).write(
            {
                "ka_pool_followup_days": 0,
                "ka_pool_order_days": 0,
                "ka_pool_warning_days": 0,
            }
        )
        cls.grade_b.write(
            {
                "visit_interval_days": 30,
                "contact_interval_days": 14,
                "gift_max_value": 500,
                "gift_max_year": 1000,
            }
        )
        cls.env["res.partner"].search(
            [("ka_type_id", "!=", False), ("id", "not in", cls.accounts.ids)]
        ).write({"ka_grade_locked": True})

    # ---- helpers -----------------------------------------------------------------
    def _offered(self, model, fname, **values):
        """The partners a form of ``model`` offers in ``fname``, its other
        fields being ``values`` (the field's domain, as the client evaluates
        it)."""
        domain = self.env[model]._fields[fname].domain
        if isinstance(domain, str):
            domain = safe_eval(domain, values)
        return self.env["res.partner"].search(domain)

    def _invisible(self, node, values):
        """Whether ``node`` of a form view is hidden for a record of ``values``."""
        return bool(safe_eval(node.get("invisible", "False"), values))

    # ---- the forms ---------------------------------------------------------------
    def test_the_documents_offer_a_person_account_not_a_contact(self):
        for model in (
            "key_account.visit",
            "key_account.reception",
            "key_account.gift",
            "key_account.plan",
            "key_account.review",
            "key_account.team.member",
            "key_account.feedback",
        ):
            with self.subTest(model=model):
                offered = self._offered(model, "partner_id")
                self.assertTrue(self.accounts <= offered)
                self.assertFalse(offered & (self.buyer | self.boss))
        # the people of the account: the person themself; a company's contacts
        for model, fname in (
            ("key_account.visit", "contact_ids"),
            ("key_account.visit", "met_contact_ids"),
            ("key_account.reception", "guest_ids"),
            ("key_account.gift", "recipient_id"),
            ("key_account.feedback", "contact_id"),
        ):
            with self.subTest(model=model, field=fname):
                people = self._offered(model, fname, partner_id=self.person.id)
                self.assertEqual(people, self.person)
                people = self._offered(model, fname, partner_id=self.account.id)
                self.assertEqual(people, self.buyer | self.boss)

    def test_a_new_person_key_account_through_the_form(self):
        """The Key Accounts action makes a company by default; its form's
        Person switch makes an individual key account, its creator's."""
        action = self.env.ref("key_account.res_partner_action_key_account")
        context = safe_eval(action.context, {"uid": self.ka_user.id})
        self.assertTrue(context["default_is_company"])
        Partner = self.env["res.partner"].with_user(self.ka_user)
        form = Form(Partner.with_context(**context))
        self.assertEqual(form.company_type, "company")
        form.company_type = "person"
        form.name = "Wang Fang"
        form.ka_type_id = self.type_potential
        partner = form.save()
        self.assertRecordValues(
            partner,
            [
                {
                    "is_company": False,
                    "parent_id": False,
                    "ka_type_id": self.type_potential.id,
                    "user_id": self.ka_user.id,
                }
            ],
        )

    def test_the_form_shows_the_account_parts_for_a_person(self):
        """The account's parts of the form show for a person as for a
        company, none for a contact of a company."""
        Partner = self.env["res.partner"].with_user(self.ka_user)
        arch = etree.fromstring(
            Partner.get_view(self.env.ref("base.view_partner_form").id, "form")["arch"]
        )
        values = {
            "ka_type_id": self.type_potential.id,
            "is_company": False,
            "parent_id": False,
            "ka_file_access": True,
            "ka_team_reader": False,
        }
        for xpath in (
            "//page[@name='key_account']",
            "//page[@name='key_account_team']",
            "//button[@name='action_ka_team']",
            "//button[@name='action_ka_plans']",
            "//button[@name='action_ka_visits']",
            "//button[@name='action_ka_relation_map']",
        ):
            with self.subTest(node=xpath):
                [node] = arch.xpath(xpath)
                self.assertFalse(self._invisible(node, values))
                # a contact of a company shows none of them
                contact = {**values, "ka_type_id": False, "parent_id": 1}
                self.assertTrue(self._invisible(node, contact))

    # ---- the contact rule --------------------------------------------------------
    def test_a_contact_of_a_company_is_never_a_key_account(self):
        Partner = self.env["res.partner"].with_user(self.ka_manager)
        kind = {"ka_type_id": self.type_potential.id}
        attempts = {
            "vals": (Partner, {"name": "Con", "parent_id": self.account.id, **kind}),
            "default parent": (
                Partner.with_context(default_parent_id=self.account.id),
                {"name": "Con", **kind},
            ),
            "default type": (
                Partner.with_context(default_ka_type_id=self.type_potential.id),
                {"name": "Con", "parent_id": self.account.id},
            ),
        }
        for how, (model, vals) in attempts.items():
            with self.subTest(how=how):
                with self.assertRaises(ValidationError) as caught:
                    model.create(vals)
                self.assertIn("a contact cannot be", str(caught.exception))
                self.assertFalse(Partner.search([("name", "=", "Con")]))
        # a contact given a type; a person key account made a contact: refused
        with self.assertRaises(ValidationError) as caught:
            self.buyer.with_user(self.ka_manager).ka_type_id = self.type_potential
        self.assertIn("Bea Buyer is a contact of Engaged Co", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.person.with_user(self.ka_manager).parent_id = self.account
        self.assertIn("Remove its key-account type", str(caught.exception))
        self.person.invalidate_recordset()
        self.assertFalse(self.person.parent_id)
        self.assertFalse(self.buyer.ka_type_id)
        self.assertEqual(self.person.ka_type_id, self.type_strategic)
        # a salesperson may not even try; Odoo's own writes pass
        with self.assertRaises(AccessError):
            self.person.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).parent_id = self.account
        self.buyer.with_user(self.ka_user).write({"parent_id": self.account.id})
        # the type removed first, the person becomes a contact
        person = self.person.with_user(self.ka_manager)
        person.write({"ka_type_id": False, "user_id": False})
        person.parent_id = self.account
        self.assertEqual(self.person.commercial_partner_id, self.account)
        # a company of a group (a company with a parent) stays an account
        branch = Partner.create(
            {"name": "Engaged Branch", "is_company": True, "parent_id": self.account.id}
        )
        branch.ka_type_id = self.type_potential
        self.assertEqual(branch.commercial_partner_id, branch)

    # ---- pool, grading, cadence --------------------------------------------------
    def test_pool_claim_release_and_return(self):
        with freeze_time("2026-01-01"):
            pooled = self.env["res.partner"].create(
                [
                    {"name": "Pool Co", "is_company": True},
                    {"name": "Pool Person", "is_company": False},
                ]
            )
            pooled.write({"ka_type_id": self.type_potential.id})
            pooled.flush_recordset()
            for partner in pooled:
                partner.with_user(self.ka_user).action_ka_claim()
        self.assertEqual(pooled.user_id, self.ka_user)
        # a colleague claims nothing owned
        with self.assertRaises(UserError):
            pooled[1].with_user(self.ka_user2).action_ka_claim()
        with freeze_time("2026-01-02"):
            for partner in pooled:
                partner.with_user(self.ka_user).action_ka_release("Moved away")
            self.assertFalse(pooled.user_id)
            for partner in pooled:
                partner.with_user(self.ka_user2).action_ka_claim()
        self.assertEqual(pooled.user_id, self.ka_user2)
        with freeze_time("2026-01-31"):  # day 29: warned
            self.env["res.partner"]._ka_cron_pool_return()
        self.assertEqual(pooled.user_id, self.ka_user2)
        with freeze_time("2026-02-01"):  # day 30 without a follow-up: back
            self.env["res.partner"]._ka_cron_pool_return()
        self.assertFalse(pooled.user_id)
        logs = self.env["key_account.pool.log"].search(
            [("partner_id", "=", pooled[1].id)], order="id"
        )
        self.assertEqual(logs.mapped("action"), ["claim", "release", "claim", "return"])

    def test_graded_from_its_orders_and_its_addresses(self):
        delivery = self.env["res.partner"].create(
            {"name": "Lin Mei, home", "parent_id": self.person.id, "type": "delivery"}
        )
        self._order(self.person, 150_000)
        self._order(delivery, 60_000)
        self._order(self.account, 50_000)
        self.accounts.with_user(self.ka_manager).action_ka_regrade()
        self.assertEqual(self.person.ka_sales_12m, 210_000)
        self.assertEqual(self.person.ka_grade_id, self.grade_b)
        self.assertEqual(self.account.ka_grade_id, self.grade_c)
        self.assertEqual(
            self.person.with_user(self.ka_user).ka_owner_sales_12m, 210_000
        )
        # a colleague reads neither the figures nor the file of the person
        colleague = self.person.with_user(self.ka_user2)
        self.assertEqual(colleague.ka_owner_sales_12m, 0)
        self.assertFalse(colleague.ka_file_access)
        # a second company grades from its own orders: none
        other = self.person.with_user(self.manager2).with_company(self.company2)
        self.assertFalse(other.ka_grade_id)
        self.assertEqual(other.ka_sales_12m, 0)

    def test_cadence_activity(self):
        self.accounts.write(
            {
                "ka_since": date(2026, 1, 1),
                "ka_last_contact_date": date(2026, 3, 1),
                "ka_last_visit_date": date(2026, 3, 1),
            }
        )
        with freeze_time("2026-03-16"):  # grade B: a contact every 14 days
            self.env["res.partner"]._ka_cron_followup()
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.accounts.ids),
                ("activity_type_id", "=", self.env.ref(FOLLOWUP).id),
            ]
        )
        self.assertEqual(sorted(activities.mapped("res_id")), sorted(self.accounts.ids))
        self.assertEqual(activities.user_id, self.ka_user)

    # ---- engagement --------------------------------------------------------------
    def test_visit_reception_and_gift_for_a_person(self):
        Visit = self.env["key_account.visit"].with_user(self.ka_user)
        form = Form(Visit)
        form.partner_id = self.person
        form.contact_ids.add(self.person)
        form.purpose = "Show the new jade collection"
        with form.planned_line_ids.new() as line:
            line.expense_type = "transport"
            line.name = "Taxi"
            line.amount = 100
        visit = form.save()
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        with Form(visit) as form:
            form.actual_date = self._today()
            form.met_contact_ids.add(self.person)
            form.attitude = "warm"
            form.progress_stage = "product"
            form.points = "Wedding set"
            form.customer_view = "Likes the pendant"
            form.next_visit_date = self._today()
            form.outcome_reason = "Her daughter's wedding"
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(self.person.ka_last_visit_date, self._today())

        form = Form(self.env["key_account.reception"].with_user(self.ka_user))
        form.partner_id = self.person
        form.guest_ids.add(self.person)
        form.guest_count = 2
        form.purpose = "festival"
        form.dining_standard = "middle"
        form.host_ids.add(self.ka_user)
        with form.planned_line_ids.new() as line:
            line.expense_type = "hospitality"
            line.name = "Tea"
            line.amount = 100
        reception = form.save()
        reception.action_submit()
        reception.with_user(self.ka_manager).action_approve()
        reception.action_done()
        self.assertEqual(reception.state, "done")

        form = Form(self.env["key_account.gift"].with_user(self.ka_user))
        form.partner_id = self.person
        # a person is their own recipient, filled in
        self.assertEqual(form.recipient_id, self.person)
        form.occasion = "Birthday"
        with form.line_ids.new() as line:
            line.product_id = self.gift_product
            line.quantity = 1
        gift = form.save()
        gift.action_submit()
        gift.with_user(self.ka_manager).action_approve()
        gift.with_user(self.ka_keeper).action_done()
        self.assertEqual(gift.state, "done")
        person = self.person.with_user(self.ka_user)
        self.assertEqual(
            (person.ka_visit_count, person.ka_reception_count, person.ka_gift_count),
            (1, 1, 1),
        )
        self.assertEqual(person.ka_engagement_cost, 120)
        # a colleague and a second company read none of it
        documents = {"key_account.visit": visit, "key_account.gift": gift}
        documents["key_account.reception"] = reception
        for user in (self.ka_user2, self.manager2):
            for model, record in documents.items():
                with self.subTest(user=user.login, model=model):
                    Model = self.env[model].with_user(user)
                    self.assertFalse(Model.search([("id", "=", record.id)]))
                    with self.assertRaises(AccessError):
                        record.with_user(user).read(["state"])

    # ---- plans, team, reviews, health --------------------------------------------
    def test_plan_team_review_and_health(self):
        plan = (
            self.env["key_account.plan"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.person.id,
                    "date_from": date(2026, 1, 1),
                    "objective_ids": [
                        Command.create(
                            {
                                "name": "Sell 10,000",
                                "measure": "sales",
                                "target_amount": 10_000,
                            }
                        )
                    ],
                }
            )
        )
        plan.action_submit()
        plan.with_user(self.ka_manager).action_approve()
        self.assertEqual(plan.state, "approved")
        member = (
            self.env["key_account.team.member"]
            .with_user(self.ka_user)
            .create({"partner_id": self.person.id, "user_id": self.member.id})
        )
        person = self.person.with_user(self.ka_user)
        self.assertEqual((person.ka_plan_count, person.ka_team_count), (1, 1))
        # the member reads the person's plan, a colleague does not
        Plan = self.env["key_account.plan"]
        self.assertEqual(
            Plan.with_user(self.member).search([("id", "=", plan.id)]), plan
        )
        self.assertFalse(Plan.with_user(self.ka_user2).search([("id", "=", plan.id)]))
        self.assertFalse(Plan.with_user(self.manager2).search([("id", "=", plan.id)]))

        start = quarter_start(self._today()) - relativedelta(months=3)
        self._order(self.person, 8_000, date=start + timedelta(days=10))
        health = self.accounts._ka_compute_health()
        self.assertTrue(self.person.ka_health_score)
        self.assertIsNotNone(health)
        reviews = self.env["key_account.review"]._ka_make_reviews(self.accounts, start)
        review = reviews.filtered(lambda r: r.partner_id == self.person)
        self.assertRecordValues(
            review,
            [
                {
                    "user_id": self.ka_user.id,
                    "sales": 8_000,
                    "health_score": self.person.ka_health_score,
                }
            ],
        )
        Review = self.env["key_account.review"]
        self.assertFalse(
            Review.with_user(self.ka_user2).search([("id", "=", review.id)])
        )
        self.assertFalse(
            Review.with_user(self.manager2).search([("id", "=", review.id)])
        )
        self.assertTrue(member.exists())

    # ---- receivables, commissions, handover --------------------------------------
    def test_overdue_invoice_in_the_receivables(self):
        day = self._today() - timedelta(days=40)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.person.id,
                "invoice_date": day,
                "invoice_date_due": day + timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Necklace",
                            "quantity": 1,
                            "price_unit": 1_000,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        person = self.person.with_user(self.ka_user)
        person.invalidate_recordset()
        self.assertEqual(
            (
                person.ka_receivable_open,
                person.ka_receivable_overdue,
                person.ka_overdue_days,
            ),
            (1_000, 1_000, 10),
        )
        self.assertIn(
            self.person,
            self.env["res.partner"]
            .with_user(self.ka_user)
            .search(
                [("id", "in", self.accounts.ids), ("ka_receivable_overdue", ">", 0)]
            ),
        )

    def test_commission_line_from_its_order(self):
        self.env["res.users"].search(
            [("ka_commission_plan_id", "!=", False)]
        ).ka_commission_plan_id = False
        full_time = self.env.ref("key_account.key_account_commission_plan_full_time")
        self.ka_user.ka_commission_plan_id = full_time.copy(
            {"cadence": "monthly", "deduct_expenses": False}
        )
        order = self._order(
            self.person, 5_000, date=date(2025, 3, 10), user=self.ka_user
        )
        settlement = self.env["key_account.commission.settlement"].compute_settlements(
            date(2025, 3, 1), date(2025, 3, 31), users=self.ka_user
        )
        line = settlement.line_ids.filtered(lambda line: line.line_type == "order")
        self.assertEqual(line.order_id, order)
        self.assertEqual(settlement.amount_base, 5_000)

    def test_handover_moves_the_person_and_its_documents(self):
        visit = (
            self.env["key_account.visit"]
            .with_user(self.ka_user)
            .create({"partner_id": self.person.id, "purpose": "Anniversary"})
        )
        wizard = (
            self.env["key_account.handover.wizard"]
            .with_user(self.ka_manager)
            .create(
                {
                    "user_id": self.ka_user.id,
                    "mode": "reassign",
                    "new_user_id": self.member.id,
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(self.accounts.user_id, self.member)
        self.assertEqual(visit.sudo().user_id, self.member)

    def test_migration_takes_the_type_off_contacts(self):
        """18.0.2.3.0: a contact stored with a key-account type before the
        constraint existed loses it, with a note; a person key account and a
        company keep theirs."""
        contact = self.env["res.partner"].create(
            {"name": "Stored Contact", "parent_id": self.account.id}
        )
        self.env.cr.execute(
            "UPDATE res_partner SET ka_type_id = %s WHERE id = %s",
            (self.account.ka_type_id.id, contact.id),
        )
        self.env.invalidate_all()
        self.assertTrue(contact.ka_type_id)
        post = load_script(
            "key_account/migrations/18.0.2.3.0/post-migrate.py", "ka_post_person"
        )
        post.migrate(self.env.cr, "18.0.2.2.0")
        self.env.invalidate_all()
        self.assertFalse(contact.ka_type_id)
        self.assertTrue(self.person.ka_type_id)
        self.assertTrue(self.account.ka_type_id)
        self.assertIn(self.account.name, contact.message_ids[0].body)

    def test_a_company_gift_names_its_contact(self):
        """A company key account's gift has no recipient until one of its
        contacts is chosen (the company is no recipient); changing the
        account to a person fills the person in."""
        contact = self.env["res.partner"].create(
            {"name": "Buyer of the firm", "parent_id": self.account.id}
        )
        form = Form(self.env["key_account.gift"].with_user(self.ka_user))
        form.partner_id = self.account
        self.assertFalse(form.recipient_id)
        form.recipient_id = contact
        form.partner_id = self.person
        self.assertEqual(form.recipient_id, self.person)
