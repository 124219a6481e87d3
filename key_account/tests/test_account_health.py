"""The health score of key accounts: its signals, weights and bands, the
activity of an account falling into "at risk", who may compute and write."""

from datetime import datetime
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestAccountHealth(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "ka_health_weight_followup": 30,
                "ka_health_weight_trend": 25,
                "ka_health_weight_frequency": 20,
                "ka_health_weight_completeness": 10,
                "ka_health_weight_complaints": 15,
                "ka_health_weight_receivables": 0,
                "ka_health_watch_below": 70,
                "ka_health_risk_below": 40,
            }
        )
        # grade B: a contact every 14 days, a visit every 30: cadence 14 days
        cls.grade_b.write({"visit_interval_days": 30, "contact_interval_days": 14})
        cls.risk_type = cls.env.ref("key_account.mail_activity_type_ka_health")

    def _account_b(self, name="Healthy Co", **vals):
        account = self._account(
            name,
            user_id=self.ka_user.id,
            ka_grade_id=self.grade_b.id,
            ka_since=self._today() - timedelta(days=400),
            **vals,
        )
        return account

    def _days_ago(self, days):
        return self._today() - timedelta(days=days)

    def _contacted(self, account, days_ago):
        account.sudo().ka_last_contact_date = self._days_ago(days_ago)

    def _risk_activities(self, account):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", account.id),
                ("activity_type_id", "=", self.risk_type.id),
            ]
        )

    def test_signals_weights_and_band(self):
        account = self._account_b()
        self._contacted(account, 14)
        now = datetime.now()
        self._order(account, 100_000, date=now - relativedelta(months=1))
        self._order(account, 100_000, date=now - relativedelta(months=8))
        self._feedback(account, self.ka_user, now - timedelta(hours=2))
        account._ka_compute_health()
        completeness = account.ka_file_completeness
        self.assertRecordValues(
            account,
            [
                {
                    "ka_health_followup": 100,
                    "ka_health_trend": 100,
                    # 2 months with an order of 6 for a full score
                    "ka_health_frequency": 33,
                    "ka_health_completeness": completeness,
                    "ka_health_complaints": 50,
                    "ka_health_date": self._today(),
                }
            ],
        )
        expected = round((3000 + 2500 + 20 * 33 + 10 * completeness + 750) / 100)
        self.assertEqual(account.ka_health_score, expected)
        self.assertEqual(
            account.ka_health_band, "healthy" if expected >= 70 else "watch"
        )

    def test_follow_up_and_trend_signals_fall_gradually(self):
        account = self._account_b()
        now = datetime.now()
        cases = [
            # (days since the contact, recent sales, previous sales, follow-up, trend)
            (28, 75_000, 100_000, 50, 50),
            (42, 40_000, 100_000, 0, 0),
            (10, 100_000, 0, 100, 100),
        ]
        for days, recent, previous, followup, trend in cases:
            with self.subTest(days=days, recent=recent, previous=previous):
                account.ka_order_ids._action_cancel()
                self._contacted(account, days)
                self._order(account, recent, date=now - relativedelta(months=2))
                if previous:
                    self._order(account, previous, date=now - relativedelta(months=9))
                account._ka_compute_health()
                self.assertEqual(account.ka_health_followup, followup)
                self.assertEqual(account.ka_health_trend, trend)
        # nothing ordered in 12 months: no trend, no frequency
        account.ka_order_ids._action_cancel()
        account._ka_compute_health()
        self.assertEqual((account.ka_health_trend, account.ka_health_frequency), (0, 0))

    def test_falling_at_risk_gives_the_owner_one_activity(self):
        account = self._account_b("Fading Co")
        self._contacted(account, 90)
        fallen = account._ka_compute_health()
        self.assertEqual(fallen, account)
        self.assertEqual(account.ka_health_band, "at_risk")
        # the "At Risk" filter, as the owner searches it
        Partner = self.env["res.partner"].with_user(self.ka_user)
        unscored = self._account_b("Unscored Co")
        both = [("id", "in", (account | unscored).ids)]
        self.assertEqual(
            Partner.search([*both, ("ka_health_band", "=", "at_risk")]), account
        )
        self.assertEqual(
            Partner.search([*both, ("ka_health_band", "!=", "at_risk")]), unscored
        )
        self.assertEqual(
            Partner.search([*both, ("ka_health_band", "=", False)]), unscored
        )
        activity = self._risk_activities(account)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.ka_user)
        self.assertIn(str(account.ka_health_score), activity.summary)
        # the two worst signals: follow-up, trend or frequency (all 0)
        self.assertIn("follow-up late", str(activity.note))
        self.assertIn("sales falling", str(activity.note))
        # still at risk: no second activity, even once the first is done
        activity.action_feedback(feedback="Called them")
        self.assertFalse(account._ka_compute_health())
        self.assertFalse(self._risk_activities(account))
        # back to health, then at risk again: a new activity
        self._contacted(account, 0)
        now = datetime.now()
        for months in (1, 2, 3, 4, 5, 6):
            self._order(account, 10_000, date=now - relativedelta(months=months))
        account._ka_compute_health()
        self.assertNotEqual(account.ka_health_band, "at_risk")
        account.ka_order_ids._action_cancel()
        self._contacted(account, 90)
        self.assertEqual(account._ka_compute_health(), account)
        self.assertEqual(len(self._risk_activities(account)), 1)

    def test_activity_in_the_owners_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["key_account"], ["zh_CN"], overwrite=True
        )
        self.ka_user.lang = "zh_CN"
        account = self._account_b("Chinese Co")
        self._contacted(account, 90)
        account._ka_compute_health()
        activity = self._risk_activities(account)
        english = account._ka_health_signal_labels()["followup"]
        chinese = account.with_context(lang="zh_CN")._ka_health_signal_labels()
        self.assertNotEqual(chinese["followup"], english)
        self.assertIn(chinese["followup"], str(activity.note))

    def test_no_bars_before_the_first_score(self):
        """A new key account shows "not scored yet", not six empty bars that
        read as a failing account; once scored, the score and its signals."""
        account = self._account_b("New Co")
        signals = [
            "ka_health_score",
            "ka_health_followup",
            "ka_health_trend",
            "ka_health_frequency",
            "ka_health_completeness",
            "ka_health_complaints",
            "ka_health_receivables",
        ]
        form = Form(account.with_user(self.ka_user))
        self.assertFalse(account.ka_health_date)
        for fname in signals:
            self.assertTrue(form._get_modifier(fname, "invisible"), fname)
        account._ka_compute_health()
        form = Form(account.with_user(self.ka_user))
        for fname in signals:
            self.assertFalse(form._get_modifier(fname, "invisible"), fname)

    def test_cron_scores_every_key_account(self):
        account = self._account_b()
        self.env["res.partner"]._ka_cron_health()
        self.assertTrue(account.ka_health_band)
        self.assertEqual(account.ka_health_date, self._today())

    def test_weights_sum_to_100_nothing_half_written(self):
        with self.assertRaises(ValidationError):
            self.company.ka_health_weight_followup = 50
        self.assertEqual(self.company.ka_health_weight_followup, 30)
        with self.assertRaises(ValidationError):
            self.company.write(
                {"ka_health_weight_trend": 35, "ka_health_weight_complaints": -5}
            )
        with self.assertRaises(ValidationError):
            self.company.write({"ka_health_risk_below": 80})
        # in Settings, the weights are written together: 90 is refused whole
        settings = self.env["res.config.settings"].create(
            {
                "ka_health_weight_followup": 20,
                "ka_health_weight_trend": 20,
                "ka_health_weight_frequency": 20,
                "ka_health_weight_completeness": 20,
                "ka_health_weight_complaints": 10,
            }
        )
        self.assertEqual(settings.ka_health_weight_total, 90)
        with self.assertRaises(ValidationError), self.cr.savepoint():
            settings.execute()
        self.env.invalidate_all()
        self.assertEqual(self.company.ka_health_weight_trend, 25)
        settings.ka_health_weight_complaints = 20
        settings.execute()
        self.assertEqual(
            self.company._ka_health_weights(),
            {
                "followup": 20,
                "trend": 20,
                "frequency": 20,
                "completeness": 20,
                "complaints": 20,
                "receivables": 0,
            },
        )

    def test_health_written_by_the_module_only(self):
        account = self._account_b()
        account._ka_compute_health()
        before = account.read(["ka_health_score", "ka_health_band"])
        for user in (self.ka_user, self.ka_manager):
            for fname, value in (
                ("ka_health_score", 100),
                ("ka_health_band", "healthy"),
                ("ka_health_followup", 100),
                ("ka_health_date", self._today()),
            ):
                with (
                    self.subTest(user=user.login, field=fname),
                    self.assertRaises(AccessError),
                ):
                    account.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                        {fname: value}
                    )
        self.assertEqual(account.read(["ka_health_score", "ka_health_band"]), before)

    def test_who_computes_it_now(self):
        account = self._account_b()
        colleague = account.with_user(self.ka_user2).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            colleague.action_ka_compute_health()
        self.assertFalse(account.ka_health_date)
        for user in (self.ka_user, self.ka_manager):
            account.with_user(user).with_context(
                **HOSTILE_CONTEXT
            ).action_ka_compute_health()
            self.assertEqual(account.ka_health_date, self._today())

    def test_overdue_receivables_signal(self):
        """The receivables signal falls with the days since the oldest overdue
        invoice fell due: 100 with none, 50 at 45 days, 0 from 90."""
        account = self._account_b("Late Payer Co")
        account._ka_compute_health()
        self.assertEqual(account.ka_health_receivables, 100)
        labels = self.env["res.partner"]._ka_health_signal_labels()
        self.assertIn("receivables", labels)
        self.assertIn("receivables", self.company._ka_health_weights())
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": account.id,
                "invoice_date": self._today() - timedelta(days=75),
                "invoice_date_due": self._today() - timedelta(days=45),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Valves", "price_unit": 1_000, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(account.ka_overdue_days, 45)
        account._ka_compute_health()
        self.assertEqual(account.ka_health_receivables, 50)
        invoice.button_draft()
        invoice.invoice_date_due = self._today() - timedelta(days=120)
        invoice.action_post()
        account._ka_compute_health()
        self.assertEqual(account.ka_health_receivables, 0)
        # weighted like the others: all the weight on it, the score is it
        self.company.write(
            {
                "ka_health_weight_followup": 0,
                "ka_health_weight_trend": 0,
                "ka_health_weight_frequency": 0,
                "ka_health_weight_completeness": 0,
                "ka_health_weight_complaints": 0,
                "ka_health_weight_receivables": 100,
            }
        )
        account._ka_compute_health()
        self.assertEqual(account.ka_health_score, 0)
        self.assertEqual(account.ka_health_band, "at_risk")

    def test_second_company_weights_and_figures(self):
        company2 = self.env["res.company"].create(
            {
                "name": "Health Second Co",
                "ka_health_weight_followup": 0,
                "ka_health_weight_trend": 0,
                "ka_health_weight_frequency": 0,
                "ka_health_weight_completeness": 0,
                "ka_health_weight_complaints": 100,
                "ka_health_weight_receivables": 0,
            }
        )
        user2 = new_test_user(
            self.env,
            login="ka_health_c2",
            groups="key_account.group_key_account_user",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        account2 = self._account(
            "Second Co Account", company_id=company2.id, user_id=user2.id
        )
        self._feedback(
            account2,
            user2,
            datetime.now() - timedelta(hours=1),
            company_id=company2.id,
        )
        account2._ka_compute_health()
        # all the weight on the complaints: one open complaint scores 50
        self.assertEqual(account2.ka_health_score, 50)
        self.assertEqual(account2.ka_health_band, "watch")
        # the second company's user reads it; the first company's does not
        self.assertEqual(
            account2.with_user(user2).with_context(**HOSTILE_CONTEXT).ka_health_score,
            50,
        )
        with self.assertRaises(AccessError):
            account2.with_user(self.ka_user).read(["ka_health_score"])
