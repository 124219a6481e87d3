from datetime import timedelta

from odoo.fields import Date
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import KeyAccountCase

# Menus that open a wizard or the settings: a blank form to fill, no list of
# records, so "has records" means nothing for them.
FORM_ONLY_MODELS = {
    "key_account.commission.compute",  # Compute Commissions wizard
    "key_account.scorecard.compute",  # Compute Scorecards wizard
    "key_account.handover.wizard",  # Hand Over Key Accounts wizard
    "res.config.settings",  # Settings (only for administrators anyway)
}
ENGAGEMENT_MODELS = ("key_account.visit", "key_account.reception", "key_account.gift")


@tagged("post_install", "-at_install")
class TestDemo(KeyAccountCase):
    """The demo data tells a newcomer something: real grades from real orders,
    and a quarter of work that fills every menu of the app."""

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
            if self.env["ir.module.module"]._get("base").demo:
                # the dependencies have demo data: ours failed to load (Odoo
                # only logs a warning and installs the module without it)
                self.fail("the demo data of key_account failed to load")
            self.skipTest("installed without demo data")
        self.accounts = self.env["res.partner"].browse(data.mapped("res_id"))
        self.manager = self.env.ref("key_account.res_users_li_wei_demo")

    def _demo_records(self, model):
        data = self.env["ir.model.data"].search(
            [("module", "=", "key_account"), ("model", "=", model)]
        )
        return self.env[model].browse(data.mapped("res_id"))

    def test_accounts_across_types_grades_and_owners(self):
        # 30 companies and 6 individual clients
        self.assertEqual(len(self.accounts), 36)
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

    def test_grade_migrations_over_a_quarter(self):
        """Last quarter's grading, then today's: accounts moved up and down."""
        history = self.env["key_account.grade.history"].search(
            [("partner_id", "in", self.accounts.ids), ("old_grade_id", "!=", False)]
        )
        moves = {(h.old_grade_id.code, h.new_grade_id.code) for h in history}
        self.assertTrue({("B", "A"), ("C", "B")} <= moves, moves)
        self.assertTrue({("A", "B"), ("B", "C"), ("C", "D")} <= moves, moves)
        months = self.env["key_account.grade.history"]._read_group(
            [("partner_id", "in", self.accounts.ids)], ["date:month"]
        )
        self.assertGreaterEqual(len(months), 2)

    def test_relationship_maps(self):
        contacts = self.accounts.child_ids
        self.assertGreaterEqual(len(contacts), 30)
        self.assertEqual(
            set(contacts.mapped("ka_role")) - {False},
            {"buyer", "decision_maker", "influencer", "user"},
        )

    def test_every_menu_shows_records(self):
        """Every menu of the app the demo manager sees opens on records."""
        manager = self.manager
        root = self.env.ref("key_account.key_account_menu_root")
        menus = (
            self.env["ir.ui.menu"]
            .with_user(manager)
            .search([("id", "child_of", root.id)])
        )
        eval_context = {
            **self.env["ir.actions.actions"].with_user(manager)._get_eval_context(),
            "context_today": lambda: Date.context_today(manager),
            "allowed_company_ids": manager.company_ids.ids,
        }
        checked, skipped = [], set()
        for menu in menus.filtered(
            lambda m: m.action and m.action._name == "ir.actions.act_window"
        ):
            action = menu.action.sudo()
            if action.res_model in FORM_ONLY_MODELS:
                skipped.add(action.res_model)
                continue
            context = safe_eval(action.context or "{}", eval_context)
            domain = safe_eval(action.domain or "[]", eval_context)
            model = (
                self.env[action.res_model]
                .with_user(manager)
                .with_context(
                    active_test=context.get("active_test", True),
                )
            )
            with self.subTest(menu=menu.complete_name):
                self.assertGreater(model.search_count(domain), 0)
            checked.append(menu.complete_name)
        self.assertGreaterEqual(len(checked), 30, checked)
        # the settings menu is for administrators only: li.wei does not see it
        self.assertEqual(skipped, FORM_ONLY_MODELS - {"res.config.settings"})

    def test_engagement_in_every_state(self):
        for model in ENGAGEMENT_MODELS:
            records = self._demo_records(model)
            states = {key for key, _label in records._fields["state"].selection}
            with self.subTest(model=model):
                self.assertEqual(set(records.mapped("state")), states)
                for record in records.filtered(lambda r: r.state != "draft"):
                    lines = record._ka_current_round()
                    self.assertTrue(lines, record.name)
                    done = lines.filtered(lambda line: line.state != "pending")
                    # decided by someone else than the requester, never before
                    # the request was submitted
                    self.assertFalse(done.done_by_id & record._ka_requesters())
                    for line in done.filtered(lambda line: line.state != "skipped"):
                        self.assertGreaterEqual(line.done_date, record.submitted_date)
                    if record.state in ("approved", "done", "closed"):
                        self.assertEqual(set(lines.mapped("state")), {"approved"})
                    elif record.state == "refused":
                        self.assertIn("refused", lines.mapped("state"))
                    elif record.state == "submitted":
                        self.assertTrue(record._ka_current_line())
                self.assertTrue(
                    records.filtered(
                        lambda r: len(r._ka_current_round()) > 1
                        and r.state in ("approved", "done", "closed")
                    ),
                    "a request went through the Finance level",
                )
        expenses = self._demo_records("key_account.visit").expense_line_ids
        expenses |= self._demo_records("key_account.reception").expense_line_ids
        self.assertEqual(
            set(expenses.mapped("reimbursement_state")),
            {"not_claimed", "claimed", "reimbursed"},
        )
        gifts = self._demo_records("key_account.gift")
        handed_out = gifts.filtered("delivered_by_id")
        self.assertTrue(handed_out)
        self.assertTrue(all(handed_out.mapped("delivered_date")))

    def test_commissions_pool_and_appraisals(self):
        salespeople = self.manager | self.env.ref(
            "key_account.res_users_zhang_min_demo"
        )
        salespeople |= self.env.ref("key_account.res_users_wang_fang_demo")
        self.assertEqual(len(salespeople.ka_commission_plan_id), 1)
        settlements = self.env["key_account.commission.settlement"].search(
            [("user_id", "in", salespeople.ids)]
        )
        self.assertEqual(
            set(settlements.mapped("state")), {"draft", "confirmed", "paid"}
        )
        self.assertEqual(settlements.user_id, salespeople)
        self.assertTrue(all(s.line_ids.filtered("order_id") for s in settlements))
        self.assertIn("award", settlements.line_ids.mapped("line_type"))
        # the drafts are the period Compute Commissions proposes: the demo
        # manager recomputes them, nobody is left out
        drafts = settlements.filtered(lambda s: s.state == "draft")
        wizard = Form(
            self.env["key_account.commission.compute"].with_user(self.manager)
        ).save()
        self.assertEqual(
            {(s.date_from, s.date_to) for s in drafts},
            {(wizard.date_from, wizard.date_to)},
        )
        action = wizard.action_compute()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertLessEqual(
            set(drafts.ids), set(action["domain"][0][2]), action["domain"]
        )
        logs = self.env["key_account.pool.log"].search(
            [("partner_id", "in", self.accounts.ids)]
        )
        self.assertLessEqual({"claim", "release", "assign"}, set(logs.mapped("action")))
        cards = self.env["key_account.scorecard"].search(
            [("user_id", "in", salespeople.ids)]
        )
        self.assertEqual(set(cards.mapped("state")), {"draft", "confirmed"})
        self.assertTrue(all(card.line_ids for card in cards))
        feedback = self._demo_records("key_account.feedback")
        self.assertEqual(
            set(feedback.mapped("feedback_type")),
            {"complaint", "suggestion", "praise", "revisit"},
        )
        self.assertTrue(feedback.filtered("is_overdue"))
        self.assertTrue(feedback.filtered("satisfaction"))
        reports = self._demo_records("key_account.monthly.report")
        self.assertEqual(set(reports.mapped("state")), {"draft", "submitted"})
        self.assertTrue(all(report.sales_amount for report in reports))

    def test_account_plans_and_teams(self):
        plans = self._demo_records("key_account.plan")
        self.assertEqual(
            set(plans.mapped("state")), {"approved", "closed", "submitted"}
        )
        closed = plans.filtered(lambda p: p.state == "closed")
        # the demo is installed by the superuser, in their day
        root = self.env.ref("base.user_root")
        self.assertEqual(closed.closed_date, Date.context_today(root))
        self.assertEqual(len(plans.partner_id), 2)
        self.assertTrue(all(plan.objective_ids for plan in plans))
        members = self._demo_records("key_account.team.member")
        self.assertEqual(members.partner_id, plans.partner_id)
        # Wang Fang serves Zhang Min's account: she reads its plan
        wang = self.env.ref("key_account.res_users_wang_fang_demo")
        account = self.env.ref("key_account.res_partner_ka_02_demo")
        self.assertEqual(
            self.env["key_account.plan"]
            .with_user(wang)
            .search([("partner_id", "=", account.id)]),
            plans.filtered(lambda p: p.partner_id == account),
        )

    def test_receivables(self):
        """A key account with an overdue, partly paid invoice; another paid in
        full: the figures, the filter and the collection report."""
        late = self.env.ref("key_account.res_partner_ka_01_demo")
        paid = self.env.ref("key_account.res_partner_ka_02_demo")
        due = self.env.ref("key_account.account_move_ka_01_demo").invoice_date_due
        self.assertEqual(
            (
                late.ka_receivable_open,
                late.ka_receivable_overdue,
                late.ka_overdue_days,
                late.ka_collected_12m,
                late.ka_days_to_pay,
            ),
            # due 30 days before the demo was installed (the server's day);
            # counted in the user's day, which may be the next one
            (30_000, 30_000, (self._today() - due).days, 20_000, 50),
        )
        self.assertEqual(due, Date.today() - timedelta(days=30))
        self.assertEqual(
            (paid.ka_receivable_open, paid.ka_collected_12m, paid.ka_days_to_pay),
            (0, 12_000, 28),
        )
        self.assertIn(late, self.accounts.search([("ka_receivable_overdue", ">", 0)]))
        report = self.env["key_account.collection.report"].search(
            [("partner_id", "in", (late | paid).ids)]
        )
        self.assertEqual(sorted(report.mapped("amount")), [12_000, 20_000])

    def test_individual_clients_beside_the_companies(self):
        """The jewellery shop's individual clients are key accounts of their
        own: persons without a company, typed, graded from their orders, owned
        by the salespeople or waiting in the pool, with visits, receptions,
        gifts and notes."""
        persons = self.accounts.filtered(lambda p: not p.is_company)
        self.assertEqual(len(persons), 6)
        self.assertFalse(persons.parent_id)
        self.assertEqual(persons.commercial_partner_id, persons)
        self.assertTrue(self.accounts.filtered("is_company"))
        zhang = self.env.ref("key_account.res_users_zhang_min_demo")
        wang = self.env.ref("key_account.res_users_wang_fang_demo")
        self.assertEqual(persons.user_id, zhang | wang)
        # one released by Wang Fang, one never owned: both in the pool
        released = self.env.ref("key_account.res_partner_ka_person_05_demo")
        dormant = self.env.ref("key_account.res_partner_ka_person_06_demo")
        self.assertEqual(persons.filtered(lambda p: not p.user_id), released | dormant)
        self.assertEqual(released.ka_pool_log_ids.mapped("action"), ["release"])
        self.assertEqual(set(persons.ka_grade_id.mapped("code")), {"A", "B", "C", "D"})
        self.assertEqual(dormant.ka_grade_id.code, "D")
        # the collector: A from a year of jadeite, its margin from the costs
        collector = self.env.ref("key_account.res_partner_ka_person_01_demo")
        self.assertEqual(collector.ka_grade_id.code, "A")
        self.assertEqual(collector.ka_sales_12m, 1_016_000)
        # 3 + 1 bangles at 66,000, a setting at 10,800, 2 pendants at 156,000
        self.assertEqual(collector.ka_margin_12m, 1_016_000 - 586_800)
        self.assertEqual(collector.ka_type_id.code, "high_value")
        # the bride's mother moved up with the wedding
        bride = self.env.ref("key_account.res_partner_ka_person_02_demo")
        self.assertEqual(bride.ka_grade_id.code, "B")
        self.assertIn(
            ("C", "B"),
            [
                (h.old_grade_id.code, h.new_grade_id.code)
                for h in bride.ka_grade_history_ids
            ],
        )
        # engagement with persons: the client is the visit's account and the
        # gift's recipient
        visit = self.env.ref("key_account.key_account_visit_14_demo")
        self.assertEqual((visit.partner_id, visit.state), (collector, "done"))
        reception = self.env.ref("key_account.key_account_reception_09_demo")
        self.assertEqual(reception.partner_id.user_id, wang)
        self.assertEqual(reception.state, "done")
        gift = self.env.ref("key_account.key_account_gift_08_demo")
        self.assertEqual(gift.recipient_id, gift.partner_id)
        self.assertTrue(gift.delivered_by_id)
        self.assertIn(gift.partner_id, persons)
        note = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", gift.partner_id.id),
                ("subtype_id", "=", self.env.ref("mail.mt_note").id),
                ("author_id", "=", zhang.partner_id.id),
            ]
        )
        self.assertTrue(note)
        self.assertTrue(persons.filtered("ka_last_contact_date"))

    def test_customer_files_of_both_kinds(self):
        """The demo persons have a person's file, a few companies a company's:
        each kind is scored on its own criteria."""
        persons = self.accounts.filtered(lambda p: not p.is_company)
        self.assertTrue(all(persons.mapped("ka_date_of_birth")))
        self.assertTrue(all(persons.mapped("ka_occupation")))
        self.assertTrue(all(persons.mapped("ka_credit_rating")))
        collector = self.env.ref("key_account.res_partner_ka_person_01_demo")
        self.assertRecordValues(
            collector.ka_file_ids,
            [
                {
                    "owned_pieces": 7,
                    "price_sensitivity": "low",
                    "credit_rating": "a",
                    "user_id": collector.user_id.id,
                }
            ],
        )
        self.assertGreater(collector.ka_file_completeness, 80)
        # the dormant client's file is thin: the completeness tells them apart
        dormant = self.env.ref("key_account.res_partner_ka_person_06_demo")
        self.assertLess(dormant.ka_file_completeness, collector.ka_file_completeness)
        companies = self.accounts.filtered(
            lambda p: p.is_company and p.ka_history and p.ka_competitors
        )
        self.assertGreaterEqual(len(companies), 3)
        self.assertTrue(all(companies.mapped("ka_our_share")))
        self.assertFalse(persons.filtered("ka_history"))

    def test_department_and_requests(self):
        """The key-account department is a sales team led by Li Wei: its
        assistant reads the members' accounts and answers their requests, one
        on time, one late, one still open."""
        team = self.env.ref("key_account.crm_team_key_accounts_demo")
        zhang = self.env.ref("key_account.res_users_zhang_min_demo")
        wang = self.env.ref("key_account.res_users_wang_fang_demo")
        assistant = self.env.ref("key_account.res_users_liu_yang_demo")
        planner = self.env.ref("key_account.res_users_zhao_lei_demo")
        self.assertEqual(team.user_id, self.manager)
        self.assertEqual(team.member_ids, zhang | wang | assistant | planner)
        self.assertEqual(
            self.manager._ka_department_users(),
            self.manager | zhang | wang | assistant | planner,
        )
        # the assistant reads the customer files of the department's
        # accounts, persons and companies, and may write them
        owned = self.accounts.filtered(lambda p: p.user_id in (zhang | wang))
        files = self.env["key_account.file"].search([("partner_id", "in", owned.ids)])
        self.assertTrue(files.partner_id.filtered("is_company"))
        self.assertTrue(files.partner_id.filtered(lambda p: not p.is_company))
        self.assertEqual(
            self.env["key_account.file"]
            .with_user(assistant)
            .search([("partner_id", "in", owned.ids)]),
            files,
        )
        self.assertTrue(all(owned.with_user(assistant).mapped("ka_file_access")))
        requests = self._demo_records("key_account.request")
        self.assertEqual(requests.assistant_id, assistant)
        self.assertEqual(
            sorted((r.state, r.on_time) for r in requests),
            [("done", False), ("done", True), ("open", False)],
        )
        self.assertEqual(
            self.env["key_account.request"].with_user(assistant).search([]),
            requests,
        )
        # a salesperson sees the requests they made only
        self.assertEqual(
            self.env["key_account.request"].with_user(zhang).search([]),
            requests.filtered(lambda r: r.requester_id == zhang),
        )
        # the pool still opens to the department's salespeople
        pool = self.accounts.filtered(lambda p: not p.user_id)
        self.assertEqual(
            self.env["res.partner"].with_user(zhang).search([("id", "in", pool.ids)]),
            pool,
        )

    def test_margins_are_not_the_sales(self):
        """The demo products have a cost: every account's 12-month margin is
        below its sales, and the jewellery earns what gold, diamonds and
        jadeite earn (about 20 to 45%)."""
        selling = self.accounts.filtered("ka_sales_12m")
        self.assertGreater(len(selling), 20)
        for account in selling:
            with self.subTest(account=account.name):
                self.assertGreater(account.ka_margin_12m, 0)
                self.assertLess(account.ka_margin_12m, account.ka_sales_12m)
        lines = self.env["sale.order.line"].search(
            [
                ("order_id.partner_id", "in", self.accounts.ids),
                ("state", "=", "sale"),
            ]
        )
        self.assertFalse(lines.filtered(lambda line: not line.purchase_price))
        jewels = self.env["ir.model.data"].search(
            [
                ("module", "=", "key_account"),
                ("model", "=", "product.product"),
                ("name", "=like", "product_ka_jewel_%"),
            ]
        )
        jewellery = lines.filtered(
            lambda line: line.product_id.id in jewels.mapped("res_id")
        )
        self.assertGreaterEqual(len(jewellery.product_id), 5)
        for line in jewellery:
            product = line.product_id
            with self.subTest(product=product.name):
                # the line's cost is the product's, read when it was created
                self.assertEqual(line.purchase_price, product.standard_price)
                rate = 1 - product.standard_price / product.list_price
                self.assertTrue(0.2 <= rate <= 0.45, rate)
