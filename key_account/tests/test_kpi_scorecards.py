from datetime import date
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import KeyAccountCase

Q1 = (date(2025, 1, 1), date(2025, 3, 31))


@tagged("post_install", "-at_install")
class TestKpiScorecards(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.growth = ref("key_account.key_account_kpi_indicator_sales_growth")
        cls.complaints = ref("key_account.key_account_kpi_indicator_complaints")
        cls.sales_plan = ref("key_account.key_account_kpi_indicator_sales_plan")
        cls.template = cls.env["key_account.kpi.template"].create(
            {
                "name": "Consultant (test)",
                "period_type": "quarter",
                "user_ids": [Command.set((cls.ka_user | cls.ka_user2).ids)],
                "line_ids": [
                    Command.create(
                        {"indicator_id": cls.growth.id, "weight": 40, "target": 10}
                    ),
                    Command.create(
                        {"indicator_id": cls.complaints.id, "weight": 20, "target": 1}
                    ),
                    Command.create(
                        {
                            "indicator_id": cls.sales_plan.id,
                            "weight": 20,
                            "target": 100,
                        }
                    ),
                    Command.create(
                        {"kind": "manual", "name": "Service standard", "weight": 20}
                    ),
                ],
            }
        )
        cls.account = cls._account("Scored Co", user_id=cls.ka_user.id)
        cls._order(cls.account, 1000, datetime(2024, 2, 1, 12), user=cls.ka_user)
        cls._order(cls.account, 1050, datetime(2025, 2, 1, 12), user=cls.ka_user)
        for day in (3, 4):  # two valid complaints: twice the allowed one
            cls._feedback(
                cls.account, cls.ka_user, datetime(2025, 2, day, 9), is_valid=True
            )
        cls.Scorecard = cls.env["key_account.scorecard"]

    def _compute(self, users=None, period=Q1):
        wizard = (
            self.env["key_account.scorecard.compute"]
            .with_user(self.ka_manager)
            .create(
                {
                    "template_id": self.template.id,
                    "user_ids": [Command.set((users or self.template.user_ids).ids)],
                    "date_from": period[0],
                    "date_to": period[1],
                }
            )
        )
        action = wizard.action_compute()
        return self.Scorecard.search(action["domain"])

    def _line(self, card, name):
        return card.line_ids.filtered(lambda line: line.name == name)

    def test_compute_for_a_team(self):
        cards = self._compute()
        self.assertEqual(cards.user_id, self.ka_user | self.ka_user2)
        card = cards.filtered(lambda c: c.user_id == self.ka_user)
        self.assertEqual(card.state, "draft")
        growth = self._line(card, self.growth.name)
        self.assertAlmostEqual(growth.value, 5.0)  # 1000 -> 1050
        self.assertAlmostEqual(growth.achievement, 50.0)  # of a 10% target
        self.assertEqual(growth.points, 0.0)  # below 60% of target
        complaints = self._line(card, self.complaints.name)
        self.assertEqual(complaints.value, 2.0)
        self.assertAlmostEqual(complaints.achievement, 50.0)
        plan = self._line(card, self.sales_plan.name)
        # available with the commission targets, but no target: no data
        self.assertTrue(plan.is_available)
        self.assertFalse(plan.has_data)
        self.assertEqual(plan.points, 0.0)
        self.assertEqual(card.score, 0.0)
        # the other salesperson: no sales at all, no complaint
        theirs = cards - card
        self.assertFalse(self._line(theirs, self.growth.name).has_data)
        self.assertEqual(self._line(theirs, self.complaints.name).points, 100.0)
        self.assertAlmostEqual(theirs.score, 20.0)

    def test_each_indicator_computed_once_for_the_team(self):
        Indicator = type(self.env["key_account.kpi.indicator"])
        original = Indicator._kpi_sales_growth
        calls = []

        def spy(indicator, users, date_from, date_to, members=None):
            calls.append(users)
            return original(indicator, users, date_from, date_to, members=members)

        with patch.object(Indicator, "_kpi_sales_growth", spy):
            self._compute()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0], self.ka_user | self.ka_user2)

    def test_records_behind_a_value(self):
        card = self._compute(self.ka_user)
        complaints = self._line(card, self.complaints.name)
        action = complaints.action_open_records()
        records = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(len(records), 2)
        self.assertEqual(records.user_id, self.ka_user)

    def test_manual_lines_and_appraiser_weights(self):
        card = self._compute(self.ka_user)
        manual = self._line(card, "Service standard")
        self.assertEqual(manual.points, 0.0)
        with self.assertRaises(ValidationError), self.cr.savepoint():
            manual.with_user(self.ka_manager).superior_points = 120
        manual.with_user(self.ka_manager).write(
            {"superior_points": 80, "peer_points": 50}
        )
        self.assertAlmostEqual(manual.points, 80 * 0.7 + 50 * 0.3)
        self.assertAlmostEqual(manual.weighted_score, 71 * 0.2)
        self.assertAlmostEqual(card.score, 14.2)
        # recomputing keeps the appraisers' points
        card.action_recompute()
        manual = self._line(card, "Service standard")
        self.assertEqual((manual.superior_points, manual.peer_points), (80, 50))
        # the appraisers' shares are the template's, fixed on the scorecard
        self.template.write({"superior_weight": 50, "peer_weight": 50})
        self.assertAlmostEqual(manual.points, 71.0)
        card.action_recompute()
        manual = self._line(card, "Service standard")
        self.assertAlmostEqual(manual.points, 65.0)
        # a salesperson cannot score themself
        with self.assertRaises(AccessError):
            manual.with_user(self.ka_user).superior_points = 100

    def test_confirmed_scorecard_is_immutable(self):
        card = self._compute(self.ka_user)
        card.with_user(self.ka_manager).action_confirm()
        self.assertEqual(card.state, "confirmed")
        line = self._line(card, "Service standard")
        before = (card.score, line.superior_points, card.date_to)
        # as the manager who would change it (the superuser is not checked)
        card = card.with_user(self.ka_manager)
        line = line.with_user(self.ka_manager)
        for attempt in (
            lambda: line.write({"superior_points": 100}),
            lambda: card.write({"date_to": date(2025, 3, 30)}),
            lambda: card.line_ids.unlink(),
            lambda: card.unlink(),
            lambda: card.action_recompute(),
            lambda: card.write({"state": "draft"}),
        ):
            with self.assertRaises(UserError), self.cr.savepoint():
                attempt()
        self.env.invalidate_all()
        self.assertEqual((card.score, line.superior_points, card.date_to), before)
        # a new order does not change a confirmed scorecard either
        self._order(self.account, 99999, datetime(2025, 3, 1, 12), user=self.ka_user)
        self.assertEqual(card.score, before[0])
        # the chatter still works
        card.message_post(body="Discussed with Sam.")

    def test_reopen_by_a_manager_with_a_reason(self):
        card = self._compute(self.ka_user)
        card.action_confirm()
        wizard_action = card.action_reopen_wizard()
        self.assertEqual(wizard_action["res_model"], "key_account.scorecard.reopen")
        Reopen = self.env["key_account.scorecard.reopen"]
        with self.assertRaises(AccessError):
            Reopen.with_user(self.ka_user).create(
                {"scorecard_ids": [Command.set(card.ids)], "reason": "Mine"}
            ).action_reopen()
        with self.assertRaises(UserError):
            card.with_user(self.ka_manager)._ka_reopen("  ")
        self.assertEqual(card.state, "confirmed")
        form = Form(
            Reopen.with_user(self.ka_manager).with_context(
                default_scorecard_ids=card.ids
            )
        )
        form.reason = "Complaint found to be the supplier's fault"
        form.save().action_reopen()
        self.assertEqual(card.state, "draft")
        self.assertIn("supplier's fault", card.message_ids[0].body)

    def test_overlap_with_a_confirmed_scorecard_refused(self):
        card = self._compute(self.ka_user)
        card.action_confirm()
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Scorecard.create(
                {
                    "user_id": self.ka_user.id,
                    "template_id": self.template.id,
                    "date_from": date(2025, 3, 1),
                    "date_to": date(2025, 3, 31),
                }
            )
        # the wizard skips the person, computes the others
        cards = self._compute(period=(date(2025, 3, 1), date(2025, 5, 31)))
        self.assertEqual(cards.user_id, self.ka_user2)
        # nor can a scorecard be created confirmed
        with self.assertRaises(UserError), self.cr.savepoint():
            self.Scorecard.with_user(self.ka_manager).create(
                {
                    "user_id": self.ka_user2.id,
                    "template_id": self.template.id,
                    "date_from": date(2024, 1, 1),
                    "date_to": date(2024, 3, 31),
                    "state": "confirmed",
                }
            )
        # no overlap, or another person: fine
        self.Scorecard.create(
            {
                "user_id": self.ka_user.id,
                "template_id": self.template.id,
                "date_from": date(2025, 4, 1),
                "date_to": date(2025, 6, 30),
            }
        )
        draft = self.Scorecard.create(
            {
                "user_id": self.ka_user.id,
                "template_id": self.template.id,
                "date_from": date(2025, 6, 1),
                "date_to": date(2025, 6, 30),
            }
        )
        # two overlapping drafts are allowed, but only one can be confirmed
        draft.action_confirm()
        others = self.Scorecard.search(
            [("user_id", "=", self.ka_user.id), ("date_from", "=", date(2025, 4, 1))]
        )
        with self.assertRaises(ValidationError), self.cr.savepoint():
            others.action_confirm()

    def test_access(self):
        self._compute()
        Scorecard = self.Scorecard.with_user(self.ka_user)
        mine = Scorecard.search([])
        self.assertEqual(mine.user_id, self.ka_user)
        self.assertEqual(
            self.Scorecard.with_user(self.ka_manager)
            .search([("user_id", "in", (self.ka_user | self.ka_user2).ids)])
            .user_id,
            self.ka_user | self.ka_user2,
        )
        theirs = self.Scorecard.search([("user_id", "=", self.ka_user2.id)])
        with self.assertRaises(AccessError):
            theirs.with_user(self.ka_user).read(["score"])
        with self.assertRaises(AccessError):
            mine.with_user(self.ka_user).action_confirm()
        with self.assertRaises(AccessError):
            self.env["key_account.scorecard.compute"].with_user(self.ka_user).create(
                {"template_id": self.template.id}
            ).action_compute()

    def test_cron_after_each_period(self):
        with freeze_time("2025-03-15"):
            self.Scorecard._ka_cron_compute()
        self.assertFalse(
            self.Scorecard.search([("template_id", "=", self.template.id)])
        )
        with freeze_time("2025-04-01"):
            self.Scorecard._ka_cron_compute()
        cards = self.Scorecard.search([("template_id", "=", self.template.id)])
        self.assertEqual(cards.user_id, self.ka_user | self.ka_user2)
        self.assertEqual(set(cards.mapped("date_from")), {Q1[0]})
        self.assertEqual(set(cards.mapped("date_to")), {Q1[1]})

    def test_periods(self):
        last = self.Scorecard._ka_last_period
        self.assertEqual(
            last("month", date(2025, 3, 1)), (date(2025, 2, 1), date(2025, 2, 28))
        )
        self.assertEqual(last("quarter", date(2025, 5, 20)), Q1)
        self.assertEqual(
            last("half_year", date(2025, 1, 1)),
            (date(2024, 7, 1), date(2024, 12, 31)),
        )


@tagged("post_install", "-at_install")
class TestScorecardComputeWizard(KeyAccountCase):
    """Compute Scorecards opened from the menu proposes the team a manager
    appraises; a chosen template puts the people it names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Wizard = cls.env["key_account.scorecard.compute"]
        cls.template = cls.env.ref("key_account.key_account_kpi_template_consultant")
        cls.template.user_ids = False  # as shipped: names nobody
        cls.team_template = cls.env["key_account.kpi.template"].create(
            {
                "name": "Consultants, team East",
                "period_type": "quarter",
                "user_ids": [Command.set(cls.ka_user2.ids)],
                "line_ids": [
                    Command.create({"kind": "manual", "name": "Service", "weight": 100})
                ],
            }
        )
        # the owners of key accounts: two salespeople, a manager, an
        # internal user outside the app, and a salesperson with no account
        cls._account("Sam's Co", user_id=cls.ka_user.id)
        cls._account("Lee's Co", user_id=cls.ka_user2.id)
        cls._account("Kate's Co", user_id=cls.ka_manager.id)
        cls._account("Olga's Co", user_id=cls.outsider.id)
        cls.idle = new_test_user(
            cls.env,
            login="ka_idle",
            name="Ivy Idle",
            groups="key_account.group_key_account_user",
        )
        # a second company, its manager and salesperson
        cls.company2 = cls.env["res.company"].create({"name": "Scorecards Co 2"})
        cls.manager2 = new_test_user(
            cls.env,
            login="ka_manager_sc2",
            groups="key_account.group_key_account_manager",
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.seller2 = new_test_user(
            cls.env,
            login="ka_seller_sc2",
            groups="key_account.group_key_account_user",
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls._account(
            "Second Co Account", user_id=cls.seller2.id, company_id=cls.company2.id
        )

    def _people(self, user):
        values = self.Wizard.with_user(user).default_get(["template_id", "user_ids"])
        self.assertFalse(values.get("template_id"))
        [(command, _id, ids)] = values["user_ids"]
        self.assertEqual(command, Command.SET)
        return self.env["res.users"].browse(ids)

    def test_default_people_are_the_company_salespeople(self):
        people = self._people(self.ka_manager)
        self.assertIn(self.ka_user, people)
        self.assertIn(self.ka_user2, people)
        # managers (appraised with their own template), people outside the
        # app, salespeople with no key account, another company's: not
        for user in (self.ka_manager, self.outsider, self.idle, self.seller2):
            self.assertNotIn(user, people)
        # the second company's manager: their own salesperson only
        self.assertEqual(self._people(self.manager2), self.seller2)

    def test_default_people_of_the_template_given(self):
        values = (
            self.Wizard.with_user(self.ka_manager)
            .with_context(default_template_id=self.team_template.id)
            .default_get(["template_id", "user_ids"])
        )
        self.assertEqual(
            values,
            {
                "template_id": self.team_template.id,
                "user_ids": [Command.set(self.ka_user2.ids)],
            },
        )

    def test_form_from_the_menu(self):
        form = Form(self.Wizard.with_user(self.ka_manager))
        team = self._people(self.ka_manager)
        self.assertEqual(form.user_ids.ids, team.ids)
        self.assertTrue(team)
        # a template naming its people puts them
        form.template_id = self.team_template
        self.assertEqual(form.user_ids.ids, self.ka_user2.ids)
        self.assertTrue(form.date_from)
        # one naming nobody keeps the choice
        form.user_ids.add(self.ka_user)
        form.template_id = self.template
        self.assertEqual(set(form.user_ids.ids), {self.ka_user.id, self.ka_user2.id})
        form.date_from = date(2025, 1, 1)
        form.date_to = date(2025, 3, 31)
        action = form.save().action_compute()
        cards = self.env["key_account.scorecard"].search(action["domain"])
        self.assertEqual(cards.user_id, self.ka_user | self.ka_user2)
        self.assertEqual(cards.template_id, self.template)
        # a salesperson cannot even open it
        with self.assertRaises(AccessError):
            Form(self.Wizard.with_user(self.ka_user))
