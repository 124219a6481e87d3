"""Quarterly reviews of key accounts: their figures, the owner's comment and
the manager's sign-off, who sees and does what."""

from datetime import datetime
from datetime import time
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.account.key_account_review import quarter_start
from .common import HOSTILE_CONTEXT
from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestQuarterlyReview(EngagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.q_start = quarter_start(cls._today()) - relativedelta(months=3)
        cls.prev_start = cls.q_start - relativedelta(months=3)

    def _at(self, day, hour=12):
        return datetime.combine(day, time(hour))

    def _as(self, records, user):
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def _review(self, account=None):
        account = account or self.account
        return self.env["key_account.review"]._ka_make_reviews(account, self.q_start)

    def test_cron_reviews_the_quarter_just_ended(self):
        order = self._order(
            self.account, 100_000, date=self._at(self.q_start + timedelta(days=10))
        )
        order.order_line.purchase_price = 60_000
        self._order(
            self.account, 50_000, date=self._at(self.prev_start + timedelta(days=10))
        )
        # this quarter's orders are not the last quarter's
        self._order(self.account, 7_000)
        received = self._at(self.q_start + timedelta(days=5))
        self._feedback(self.account, self.ka_user, received, "praise", satisfaction=4)
        self._feedback(self.account, self.ka_user, received, "revisit", satisfaction=2)
        self._feedback(self.account, self.ka_user, received + timedelta(days=15))
        self._feedback(
            self.account,
            self.ka_user,
            received,
            answered_date=received + timedelta(hours=3),
        )
        visit = self._visit(100)
        self.env["key_account.expense"].create(
            {
                "visit_id": visit.id,
                "kind": "actual",
                "name": "Taxi",
                "amount": 30,
                "date": self.q_start + timedelta(days=3),
            }
        )
        self.account._ka_compute_health()
        reviews = self.env["key_account.review"]._ka_cron_quarterly_reviews()
        review = reviews.filtered(lambda r: r.partner_id == self.account)
        self.env.flush_all()
        [(company_margin,)] = self.env["sale.order"]._read_group(
            [
                ("state", "=", "sale"),
                ("company_id", "=", self.company.id),
                ("date_order", ">=", self._at(self.q_start, 0)),
                (
                    "date_order",
                    "<",
                    self._at(self.q_start + relativedelta(months=3), 0),
                ),
            ],
            [],
            ["margin:sum"],
        )
        self.assertRecordValues(
            review,
            [
                {
                    "state": "draft",
                    "user_id": self.ka_user.id,
                    "date_from": self.q_start,
                    "sales": 100_000,
                    "margin": 40_000,
                    "margin_share": round(4_000_000 / company_margin, 2),
                    "previous_sales": 50_000,
                    "previous_margin": 50_000,
                    "sales_change": 100.0,
                    "margin_change": -20.0,
                    "satisfaction": 3.0,
                    "satisfaction_count": 2,
                    "open_complaint_count": 1,
                    "engagement_cost": 30,
                    "health_score": self.account.ka_health_score,
                    "has_plan": False,
                }
            ],
        )
        # once a quarter: the cron again makes no second review
        again = self.env["key_account.review"]._ka_cron_quarterly_reviews()
        self.assertEqual(again.filtered(lambda r: r.partner_id == self.account), review)

    def _cron_queries(self):
        """Make the reviews of the quarter again (as the cron): its queries."""
        Review = self.env["key_account.review"]
        Review.search(
            [("date_from", "=", self.q_start), ("state", "=", "draft")]
        ).unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        reviews = Review._ka_cron_quarterly_reviews()
        self.env.flush_all()
        return self.cr.sql_log_count - before, reviews

    def test_cron_queries_do_not_grow_with_the_accounts(self):
        """The quarterly cron computes the figures of all accounts in grouped
        queries and creates their reviews at once: as many queries for one
        account more as for seven more."""
        day = self._at(self.q_start + timedelta(days=10))

        def accounts(count):
            new = self.env["res.partner"]
            for i in range(count):
                account = self._account(f"Reviewed Co {i}", user_id=self.ka_user.id)
                self._order(account, 1_000 * (i + 1), date=day)
                self._feedback(account, self.ka_user, day, "praise", satisfaction=4)
                new |= account
            return new

        self._cron_queries()  # caches warm
        first = accounts(1)
        queries_one, reviews = self._cron_queries()
        self.assertIn(first, reviews.partner_id)
        more = accounts(7)
        queries_many, reviews = self._cron_queries()
        self.assertLessEqual(more, reviews.partner_id)
        self.assertEqual(
            reviews.filtered(lambda r: r.partner_id == more[-1]).sales, 7_000
        )
        self.assertEqual(queries_many, queries_one)

    def test_against_the_account_plan(self):
        """A review shows the quarter's share of the targets of the approved
        plan covering it; a draft plan or another account's does not count."""
        year_start = self.q_start.replace(month=1, day=1)
        plan = self.env["key_account.plan"].create(
            {
                "partner_id": self.account.id,
                "date_from": year_start,
                "objective_ids": [
                    Command.create(
                        {"name": "Sell", "measure": "sales", "target_amount": 365_000}
                    ),
                    Command.create(
                        {"name": "Earn", "measure": "margin", "target_amount": 73_000}
                    ),
                    Command.create(
                        {"name": "Visit", "measure": "visits", "target_count": 12}
                    ),
                ],
            }
        )
        review = self._review()
        self.assertFalse(review.has_plan)
        plan._ka_workflow_write({"state": "approved"})
        review.invalidate_recordset()
        days = (review.date_to - review.date_from).days + 1
        share = days / ((plan.date_to - plan.date_from).days + 1)
        self.assertTrue(review.has_plan)
        self.assertAlmostEqual(review.plan_sales, round(365_000 * share, 2))
        self.assertAlmostEqual(review.plan_margin, round(73_000 * share, 2))
        other = self._review(self._account("Unplanned Co", user_id=self.ka_user.id))
        self.assertFalse(other.has_plan)

    def test_owner_comments_manager_signs(self):
        review = self._review()
        mine = self._as(review, self.ka_user)
        with self.assertRaises(UserError):
            mine.action_submit()  # no comment yet
        mine.write({"owner_comment": "A good quarter: a new line started."})
        with self.assertRaises(AccessError):
            mine.write({"state": "signed"})
        with self.assertRaises(AccessError):
            mine.write({"manager_comment": "Well done"})
        mine.action_submit()
        self.assertEqual(review.state, "submitted")
        with self.assertRaises(UserError):
            mine.write({"owner_comment": "Changed afterwards"})
        with self.assertRaises(AccessError):
            mine.action_sign()
        manager = self._as(review, self.ka_manager)
        manager.write({"manager_comment": "Agreed."})
        manager.action_sign()
        self.assertRecordValues(
            review,
            [
                {
                    "state": "signed",
                    "signed_by_id": self.ka_manager.id,
                    "signed_date": self._today(),
                }
            ],
        )
        with self.assertRaises(UserError):
            manager.write({"manager_comment": "Changed afterwards"})
        with self.assertRaises(UserError):
            manager.unlink()

    def test_signed_on_time_or_late(self):
        """A review is signed on time by the quarter's last day plus the days
        of Settings (30); the verdict is the module's."""
        review = self._review()
        end = self.q_start + relativedelta(months=3, days=-1)
        self.assertEqual(review.deadline, end + timedelta(days=30))
        review.write({"owner_comment": "Steady."})
        self._as(review, self.ka_user).action_submit()
        self.assertFalse(review.on_time)
        with freeze_time(end + timedelta(days=31)):
            self._as(review, self.ka_manager).action_sign()
        self.assertEqual(review.signed_date, end + timedelta(days=31))
        self.assertFalse(review.on_time)
        # had it been signed on the last day, it was on time
        review._ka_workflow_write({"signed_date": end + timedelta(days=30)})
        self.assertTrue(review.on_time)
        for vals in ({"on_time": False}, {"deadline": end}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._as(review, self.ka_manager).write(vals)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ka_review_due_days, 30)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"ka_review_due_days": -5})
        # 0 days is kept as 0 (Odoo drops an integer setting of 0), for the
        # reviews made from now on
        self.env["res.config.settings"].create({"ka_review_due_days": 0}).execute()
        self.assertEqual(
            self.env["res.config.settings"].create({}).ka_review_due_days, 0
        )
        later = self._review(self._account("Later Co", user_id=self.ka_user.id))
        self.assertEqual(later.deadline, later.date_to)
        self.assertEqual(review.deadline, end + timedelta(days=30))

    def test_the_cron_takes_no_caller_defaults(self):
        """The drafts the quarterly cron writes in one INSERT take the model's
        own defaults: neither default_* context keys nor an ir.default of
        the user running it land in them."""
        self.env["ir.default"].set(
            "key_account.review", "manager_comment", "Planted", user_id=self.env.uid
        )
        reviews = (
            self.env["key_account.review"]
            .with_context(
                default_owner_comment="Planted",
                default_manager_comment="Planted",
                default_state="signed",
            )
            ._ka_cron_quarterly_reviews()
        )
        review = reviews.filtered(lambda r: r.partner_id == self.account)
        self.assertTrue(review)
        self.assertFalse(review.owner_comment)
        self.assertFalse(review.manager_comment)
        self.assertEqual(review.state, "draft")

    def test_a_manager_does_not_sign_their_own(self):
        account = self._account("Managed Co", user_id=self.ka_manager.id)
        review = self._review(account)
        own = self._as(review, self.ka_manager)
        own.write({"owner_comment": "My own account"})
        own.action_submit()
        with self.assertRaises(AccessError):
            own.action_sign()
        self._as(review, self.ka_manager2).action_sign()
        self.assertEqual(review.signed_by_id, self.ka_manager2)

    def test_figures_and_status_are_the_modules(self):
        review = self._review()
        for user in (self.ka_user, self.ka_manager):
            for vals in (
                {"sales": 1},
                {"margin_share": 99},
                {"health_score": 100},
                {"signed_by_id": user.id},
                {"state": "submitted"},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        self._as(review, user).write(vals)
        with self.assertRaises(AccessError):
            self._as(self.env["key_account.review"], self.ka_user).create(
                {
                    "partner_id": self.account.id,
                    "user_id": self.ka_user.id,
                    "date_from": self.prev_start,
                }
            )
        with self.assertRaises(AccessError):
            self._as(self.env["key_account.review"], self.ka_manager).create(
                {
                    "partner_id": self.account.id,
                    "user_id": self.ka_user.id,
                    "date_from": self.prev_start,
                    "sales": 5_000_000,
                }
            )

    def test_who_sees_and_makes_reviews(self):
        review = self._review()
        Review = self.env["key_account.review"]
        self.assertIn(review, self._as(Review, self.ka_user).search([]))
        self.assertNotIn(review, self._as(Review, self.ka_user2).search([]))
        with self.assertRaises(AccessError):
            self._as(review, self.ka_user2).read(["sales"])
        self.assertIn(review, self._as(Review, self.ka_manager).search([]))
        # the account's button: its owner or a manager; the same review again
        action = self._as(self.account, self.ka_user).action_ka_quarterly_review()
        self.assertEqual(action["res_id"], review.id)
        with self.assertRaises(AccessError):
            self._as(self.account, self.ka_user2).action_ka_quarterly_review()
        with self.assertRaises(AccessError):
            self._as(review, self.ka_user2).action_refresh()
        # the manager's list of reviews to sign
        to_sign = self.env.ref("key_account.key_account_review_action_to_sign")
        to_sign = safe_eval(to_sign.domain)
        self.assertNotIn(review, self._as(Review, self.ka_manager).search(to_sign))
        self._as(review, self.ka_user).write({"owner_comment": "Done"})
        self._as(review, self.ka_user).action_submit()
        self.assertIn(review, self._as(Review, self.ka_manager).search(to_sign))
        # the account's trend: its reviews
        trend = self._as(self.account, self.ka_user).action_ka_reviews()
        self.assertEqual(Review.search(trend["domain"]), review)
        self.assertEqual(self._as(self.account, self.ka_user).ka_review_count, 1)
        self.assertEqual(self._as(self.account, self.ka_user2).ka_review_count, 0)

    def test_second_company_sees_none_of_the_first(self):
        review = self._review()
        company2 = self.env["res.company"].create({"name": "Review Second Co"})
        manager2 = new_test_user(
            self.env,
            login="ka_review_c2",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        Review = self._as(self.env["key_account.review"], manager2)
        self.assertFalse(Review.search([("id", "=", review.id)]))
        with self.assertRaises(AccessError):
            self._as(review, manager2).read(["sales"])
        with self.assertRaises(AccessError):
            self._as(review, manager2).action_sign()

    def test_plan_hook_gives_the_targets(self):
        review = self._review()
        Review = type(self.env["key_account.review"])
        with patch.object(
            Review,
            "_ka_review_plan_targets",
            lambda reviews: {
                r.id: {"sales": 120_000, "margin": 30_000} for r in reviews
            },
        ):
            review.invalidate_recordset(["has_plan", "plan_sales", "plan_margin"])
            self.assertRecordValues(
                review,
                [{"has_plan": True, "plan_sales": 120_000, "plan_margin": 30_000}],
            )


@tagged("post_install", "-at_install")
class TestAccountDemo(EngagementCase):
    """The demo tells the story: a signed review, one waiting for its
    signature, and an account at risk whose owner was told why."""

    def test_demo_reviews_and_an_account_at_risk(self):
        fading = self.env.ref(
            "key_account.res_partner_fading_account_demo", raise_if_not_found=False
        )
        if not fading:
            if self.env["ir.module.module"]._get("base").demo:
                self.fail("the demo data of key_account failed to load")
            self.skipTest("installed without demo data")
        reviews = self.env["key_account.review"].search([])
        self.assertEqual(
            set(reviews.mapped("state")) & {"signed", "submitted"},
            {"signed", "submitted"},
        )
        signed = reviews.filtered(lambda r: r.state == "signed")
        self.assertEqual(
            signed.signed_by_id, self.env.ref("key_account.res_users_li_wei_demo")
        )
        self.assertEqual(fading.ka_health_band, "at_risk")
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", fading.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("key_account.mail_activity_type_ka_health").id,
                ),
            ]
        )
        self.assertEqual(activity.user_id, fading.user_id)
