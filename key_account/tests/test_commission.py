from datetime import date
from datetime import datetime
from datetime import time

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase

FULL_TIME_BOUNDARIES = [
    (9_999.99, 5.0),
    (10_000.00, 5.5),
    (19_999.99, 5.5),
    (20_000.00, 6.0),
    (49_999.99, 6.0),
    (50_000.00, 6.5),
    (99_999.99, 6.5),
    (100_000.00, 7.0),
    (199_999.99, 7.0),
    (200_000.00, 8.0),
    (499_999.99, 8.0),
    (500_000.00, 9.0),
    (1_000_000.00, 9.0),
    (1_500_000.00, 9.0),
]


class CommissionCase(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Settlement = cls.env["key_account.commission.settlement"]
        cls.full_time = cls.env.ref("key_account.key_account_commission_plan_full_time")
        cls.part_time = cls.env.ref("key_account.key_account_commission_plan_part_time")
        # monthly settlements, no expenses unless a test says so; the tests'
        # salespeople are the only ones paid (not the demo data's)
        cls.env["res.users"].search(
            [("ka_commission_plan_id", "!=", False)]
        ).ka_commission_plan_id = False
        cls.plan = cls.full_time.copy({"cadence": "monthly", "deduct_expenses": False})
        cls.ka_user.ka_commission_plan_id = cls.plan
        cls.ka_user2.ka_commission_plan_id = cls.plan
        cls.account = cls._account(user_id=cls.ka_user.id)
        # separation of duties: a second manager, and Finance who pays
        cls.ka_manager2 = new_test_user(
            cls.env,
            login="ka_manager2",
            name="Mark Manager",
            groups="key_account.group_key_account_manager",
        )
        cls.ka_approver = new_test_user(
            cls.env,
            login="ka_approver",
            name="Fiona Finance",
            groups="key_account.group_key_account_approver",
        )

    @staticmethod
    def _as(records, user):
        """``records`` as ``user``, with every context key that ever unlocked
        a guard set."""
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def _settle(self, date_from, date_to, users=None):
        return self.Settlement.compute_settlements(date_from, date_to, users=users)

    def _lines(self, settlement, line_type="order"):
        return settlement.line_ids.filtered(lambda line: line.line_type == line_type)


@tagged("post_install", "-at_install")
class TestCommissionPlans(CommissionCase):
    def test_shipped_tables(self):
        rates = [(t.amount_from, t.amount_to, t.rate) for t in self.full_time.tier_ids]
        self.assertEqual(
            rates,
            [
                (0, 10_000, 5),
                (10_000, 20_000, 5.5),
                (20_000, 50_000, 6),
                (50_000, 100_000, 6.5),
                (100_000, 200_000, 7),
                (200_000, 500_000, 8),
                (500_000, 0, 9),
            ],
        )
        self.assertTrue(self.full_time.deduct_expenses)
        self.assertEqual(self.full_time.discount_threshold, 90)
        first, second = self.part_time.tier_ids.sorted("amount_from")[:2]
        self.assertEqual((first.label, first.rate), ("1 g gold", 0))
        self.assertEqual((second.label, second.amount_to), ("2 g gold", 10_000))
        self.assertGreater(first.fixed_amount, 0)
        self.assertEqual(
            self.part_time.tier_ids[2:].mapped("rate"), [5.5, 6, 6.5, 7, 8, 9]
        )

    def _plan(self, tiers, **vals):
        return self.env["key_account.commission.plan"].create(
            {
                "name": "Test plan",
                "tier_ids": [Command.create(t) for t in tiers],
                **vals,
            }
        )

    def test_bad_tiers(self):
        Plan = self.env["key_account.commission.plan"]
        count = Plan.search_count([])
        bad = [
            [],
            [
                {"amount_from": 0, "amount_to": 100, "rate": 5},
                {"amount_from": 50, "amount_to": 200, "rate": 6},
            ],
            [
                {"amount_from": 0, "amount_to": 0, "rate": 5},
                {"amount_from": 100, "amount_to": 200, "rate": 6},
            ],
            [{"amount_from": 100, "amount_to": 100, "rate": 5}],
            [{"amount_from": 200, "amount_to": 100, "rate": 5}],
            [{"amount_from": 0, "amount_to": 100, "rate": 100.5}],
            [{"amount_from": 0, "amount_to": 100, "rate": -1}],
        ]
        for tiers in bad:
            with self.subTest(tiers=tiers), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self._plan(tiers)
        self.assertEqual(Plan.search_count([]), count)
        plan = self._plan([{"amount_from": 0, "amount_to": 0, "rate": 5}])
        with self.assertRaises(ValidationError):
            plan.tier_ids.unlink()
        with self.assertRaises(ValidationError):
            plan.tier_ids.rate = 101
        plan.unlink()  # a plan takes its tiers with it

    def test_boundaries_inclusive_exclusive(self):
        for amount, rate in FULL_TIME_BOUNDARIES:
            self.assertEqual(self.full_time._find_tier(amount).rate, rate, amount)

    def test_three_months_below_target(self):
        self._targets(self.ka_user, (1, 2, 3), 1000)
        for month in (1, 2, 3):
            self._order(self.account, 600, date=date(2025, month, 5), user=self.ka_user)
        with freeze_time("2025-04-10"):
            self.env.invalidate_all()
            self.assertTrue(self.ka_user.ka_below_target)
            # on probation the target is 500: reached
            self.ka_user.ka_commission_status = "probation"
            self.env.invalidate_all()
            self.assertFalse(self.ka_user.ka_below_target)
            self.assertFalse(self.ka_user2.ka_below_target)

    def test_targets(self):
        Target = self.env["key_account.commission.target"]
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            Target.create(
                {"user_id": self.ka_user.id, "month": date(2026, 1, 1), "amount": -1}
            )
        self.assertFalse(Target.search([("user_id", "=", self.ka_user.id)]))
        target = Target.create(
            {"user_id": self.ka_user.id, "month": date(2026, 1, 17), "amount": 1000}
        )
        self.assertEqual(target.month, date(2026, 1, 1))
        with self.assertRaises(ValidationError):
            target.amount = -5
        self.ka_user.ka_commission_status = "demoted"
        self.assertEqual(
            Target._ka_effective_targets(
                self.ka_user, date(2026, 1, 1), date(2026, 1, 31)
            ),
            {self.ka_user.id: 700},
        )


@tagged("post_install", "-at_install")
class TestCommissionSettlements(CommissionCase):
    def test_boundaries_month_basis(self):
        for month, (amount, rate) in enumerate(FULL_TIME_BOUNDARIES[:12], start=1):
            with self.subTest(amount=amount):
                self._order(
                    self.account, amount, date=date(2025, month, 10), user=self.ka_user
                )
                settlement = self._settle(date(2025, month, 1), date(2025, month, 28))
                self.assertEqual(settlement.user_id, self.ka_user)
                self.assertEqual(settlement.amount_base, amount)
                self.assertEqual(self._lines(settlement).rate, rate)
                self.assertAlmostEqual(
                    settlement.amount_commission,
                    round(amount * rate / 100, 2),
                    places=2,
                )

    def test_boundaries_month_basis_sum_of_orders(self):
        # the period's sales pick the tier: 9,999.99 then 10,000.00
        self._order(self.account, 3_900, date=date(2025, 3, 3), user=self.ka_user)
        self._order(self.account, 5_999.99, date=date(2025, 3, 4), user=self.ka_user)
        settlement = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        self.assertEqual(set(self._lines(settlement).mapped("rate")), {5.0})
        self._order(self.account, 100.01, date=date(2025, 3, 5), user=self.ka_user)
        settlement = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        self.assertEqual(set(self._lines(settlement).mapped("rate")), {5.5})

    def test_boundaries_single_order_basis(self):
        self.plan.tier_basis = "order"
        for amount, _rate in FULL_TIME_BOUNDARIES:
            self._order(self.account, amount, date=date(2025, 5, 10), user=self.ka_user)
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        got = sorted((line.amount_base, line.rate) for line in self._lines(settlement))
        self.assertEqual(got, FULL_TIME_BOUNDARIES)

    def test_higher_of_the_two(self):
        self.plan.tier_basis = "max"
        self._order(self.account, 25_000, date=date(2025, 5, 10), user=self.ka_user)
        self._order(self.account, 1_000, date=date(2025, 5, 11), user=self.ka_user)
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        rates = {line.amount_base: line.rate for line in self._lines(settlement)}
        self.assertEqual(rates, {25_000: 6.0, 1_000: 6.0})

    def test_target_share_probation(self):
        plan = self.plan.copy(
            {
                "tier_basis": "target_share",
                "tier_ids": [
                    Command.create({"amount_from": 0, "amount_to": 100, "rate": 5}),
                    Command.create({"amount_from": 100, "amount_to": 0, "rate": 8}),
                ],
            }
        )
        self.ka_user.write(
            {"ka_commission_plan_id": plan.id, "ka_commission_status": "probation"}
        )
        self.env["key_account.commission.target"].create(
            {"user_id": self.ka_user.id, "month": date(2025, 6, 1), "amount": 20_000}
        )
        self._order(self.account, 12_000, date=date(2025, 6, 10), user=self.ka_user)
        settlement = self._settle(date(2025, 6, 1), date(2025, 6, 30))
        # 12,000 of a 10,000 target (20,000 x 0.5): 120% → 8%
        self.assertEqual(self._lines(settlement).rate, 8.0)
        self.ka_user.ka_commission_status = "regular"
        settlement = self._settle(date(2025, 6, 1), date(2025, 6, 30))
        self.assertEqual(self._lines(settlement).rate, 5.0)  # 60% of 20,000

    def test_discount_below_threshold(self):
        # 81 per unit, list price 100: 81% of list, threshold 90 → rate x 0.9
        self._order(
            self.account, 8_100, quantity=100, date=date(2025, 7, 3), user=self.ka_user
        )
        self._order(
            self.account,
            9_000 - 8_100 + 900,
            quantity=18,
            date=date(2025, 7, 4),
            user=self.ka_user,
        )
        settlement = self._settle(date(2025, 7, 1), date(2025, 7, 31))
        lines = self._lines(settlement).sorted("amount_base")
        self.assertAlmostEqual(lines[0].price_ratio, 100.0)
        self.assertEqual(lines[0].rate, 5.0)
        self.assertAlmostEqual(lines[1].price_ratio, 81.0)
        self.assertEqual(lines[1].tier_rate, 5.0)
        self.assertAlmostEqual(lines[1].rate, 4.5)
        self.assertEqual(lines[1].amount_commission, 364.5)

    def test_expenses_deducted(self):
        self.plan.deduct_expenses = True
        self._order(self.account, 12_000, date=date(2025, 8, 3), user=self.ka_user)
        visit = self.env["key_account.visit"].create(
            {
                "partner_id": self.account.id,
                "user_id": self.ka_user.id,
                "purpose": "Dinner",
            }
        )
        Expense = self.env["key_account.expense"]
        lines = Expense.create(
            [
                {
                    "visit_id": visit.id,
                    "kind": "actual",
                    "expense_type": "hospitality",
                    "name": f"Dinner {i}",
                    "amount": amount,
                }
                for i, amount in enumerate((1_500, 500, 9_000))
            ]
        )
        # reimbursed in August: counted; reimbursed in September or only
        # claimed: not
        lines[0].write(
            {"reimbursement_state": "reimbursed", "reimbursed_date": date(2025, 8, 20)}
        )
        lines[1].write(
            {"reimbursement_state": "reimbursed", "reimbursed_date": date(2025, 8, 31)}
        )
        lines[2].write(
            {"reimbursement_state": "reimbursed", "reimbursed_date": date(2025, 9, 1)}
        )
        settlement = self._settle(date(2025, 8, 1), date(2025, 8, 31))
        # 12,000 - 2,000 = 10,000 → 5.5%
        self.assertEqual(settlement.amount_base, 10_000)
        self.assertEqual(self._lines(settlement).rate, 5.5)
        self.assertEqual(self._lines(settlement, "expense").amount_commission, -110)
        self.assertEqual(settlement.amount_commission, 550)
        # without the flag the expenses are ignored
        self.plan.deduct_expenses = False
        settlement = self._settle(date(2025, 8, 1), date(2025, 8, 31))
        self.assertEqual(settlement.amount_commission, 660)

    def test_fixed_reward_part_time(self):
        self.ka_user.ka_commission_plan_id = self.part_time
        self._order(self.account, 3_000, date=date(2025, 9, 3), user=self.ka_user)
        settlement = self._settle(date(2025, 9, 1), date(2025, 9, 30))
        reward = self._lines(settlement, "reward")
        self.assertEqual(reward.reason, "1 g gold")
        self.assertEqual(settlement.amount_commission, reward.amount_commission)
        self.assertGreater(reward.amount_commission, 0)

    def test_foreign_currency(self):
        foreign = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("id", "!=", self.currency.id), ("name", "in", ["EUR", "USD"])],
                limit=1,
            )
        )
        foreign.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "rate": 2.0,
                "name": date(2025, 1, 1),
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": foreign.id}
        )
        order = self._order(
            self.account,
            40_000,
            date=date(2025, 10, 3),
            user=self.ka_user,
            pricelist=pricelist,
        )
        self.assertEqual(order.currency_rate, 2.0)
        settlement = self._settle(date(2025, 10, 1), date(2025, 10, 31))
        # 40,000 foreign = 20,000 in company currency → 6%
        self.assertEqual(settlement.amount_base, 20_000)
        self.assertEqual(self._lines(settlement).rate, 6.0)
        self.assertEqual(settlement.amount_commission, 1_200)

    def test_recompute_idempotent(self):
        self._order(self.account, 15_000, date=date(2025, 11, 3), user=self.ka_user)
        self._order(self.account, 5_000, date=date(2025, 11, 4), user=self.ka_user2)
        first = self._settle(date(2025, 11, 1), date(2025, 11, 30))
        snapshot = sorted(
            (
                s.user_id.id,
                line.order_id.id,
                line.amount_base,
                line.rate,
                line.amount_commission,
            )
            for s in first
            for line in s.line_ids
        )
        manual = self.env["key_account.commission.settlement.line"].create(
            {
                "settlement_id": first[0].id,
                "line_type": "award",
                "amount_commission": 200,
                "reason": "Weekly champion",
            }
        )
        second = self._settle(date(2025, 11, 1), date(2025, 11, 30))
        self.assertEqual(first, second)
        self.assertEqual(len(first), 2)
        self.assertTrue(manual.exists())
        self.assertEqual(
            sorted(
                (
                    s.user_id.id,
                    line.order_id.id,
                    line.amount_base,
                    line.rate,
                    line.amount_commission,
                )
                for s in second
                for line in s.line_ids - manual
            ),
            snapshot,
        )
        only = self._settle(date(2025, 11, 1), date(2025, 11, 30), users=self.ka_user2)
        self.assertEqual(only.user_id, self.ka_user2)

    def test_confirmed_immutable_and_counted_once(self):
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        settlement = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        # as a manager (the superuser is not checked), whatever the context
        managed = self._as(settlement, self.ka_manager)
        managed.action_confirm()
        self.assertEqual(settlement.state, "confirmed")
        for action in (
            lambda: managed.write({"date_to": date(2025, 2, 1)}),
            lambda: managed.unlink(),
            lambda: managed.line_ids.write({"amount_commission": 1}),
            lambda: managed.line_ids.unlink(),
            lambda: managed.write({"state": "draft"}),
            lambda: self._as(self.Settlement, self.ka_manager).create(
                {
                    "user_id": self.ka_user.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                    "state": "paid",
                }
            ),
        ):
            with self.assertRaises(UserError):
                action()
        commission = settlement.amount_commission
        Settlement = self._as(self.Settlement, self.ka_manager)
        # the same period again: the confirmed settlement is untouched, its
        # order not counted again
        self.assertFalse(
            Settlement.compute_settlements(date(2025, 1, 1), date(2025, 1, 31))
        )
        later = self._order(
            self.account, 1_000, date=date(2025, 2, 10), user=self.ka_user
        )
        # January-February overlaps the confirmed January: refused for him,
        # naming the settlement; for everybody, he is left out
        with self.assertRaises(UserError) as caught:
            Settlement.compute_settlements(
                date(2025, 1, 1), date(2025, 2, 28), users=self.ka_user
            )
        self.assertIn(settlement.name, str(caught.exception))
        self.assertFalse(
            Settlement.compute_settlements(date(2025, 1, 1), date(2025, 2, 28))
        )
        february = Settlement.compute_settlements(date(2025, 2, 1), date(2025, 2, 28))
        self.assertEqual(february.line_ids.order_id, later)
        self.assertEqual(settlement.amount_commission, commission)
        self.assertEqual(settlement.line_ids.order_id, order)
        # a manager does not pay, Finance does
        with self.assertRaises(AccessError):
            managed.action_pay()
        self._as(settlement, self.ka_approver).action_pay()
        self.assertEqual(settlement.state, "paid")

    def test_cancelled_after_confirmation(self):
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        settlement = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        settlement.action_confirm()
        order._action_cancel()
        next_one = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        reversal = self._lines(next_one, "reversal")
        self.assertEqual(reversal.order_id, order)
        self.assertEqual(reversal.amount_commission, -settlement.amount_commission)
        self.assertEqual(next_one.amount_base, -15_000)
        next_one.action_confirm()
        # reversed once only
        self.assertFalse(self._settle(date(2025, 3, 1), date(2025, 3, 31)))

    def test_referral_split(self):
        contact = self.env["res.partner"].create({"name": "Rita Referral"})
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        order.write({"ka_referral_partner_id": contact.id, "ka_referral_share": 40})
        settlement = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        # one commission of 15,000 x 5.5% = 825, split 60/40
        self.assertEqual(self._lines(settlement).amount_commission, 495)
        referral = self._lines(settlement, "referral")
        self.assertEqual(referral.reason, "Referral share: 40%")
        self.assertEqual(referral.payee_partner_id, contact)
        self.assertEqual(referral.amount_commission, 330)
        self.assertEqual(settlement.amount_commission, 495)
        self.assertEqual(settlement.amount_referral, 330)
        self.assertEqual(settlement.amount_base, 15_000)
        with self.assertRaises(ValidationError) as caught:
            order.ka_referral_share = 101
        self.assertEqual(
            str(caught.exception),
            "A referral share is a percentage from 0 to 100, not 101.0.",
        )
        with self.assertRaises(ValidationError):
            order.ka_referral_partner_id = False
        # cancelled after confirmation: both shares reversed
        settlement.action_confirm()
        order._action_cancel()
        reversals = self._lines(
            self._settle(date(2025, 2, 1), date(2025, 2, 28)), "reversal"
        )
        self.assertEqual(sorted(reversals.mapped("amount_commission")), [-495, -330])
        self.assertEqual(reversals.payee_partner_id, contact)

    def test_part_timer_inactive_after_three_months(self):
        plan = self.part_time.copy({"cadence": "monthly"})
        self.ka_user.ka_commission_plan_id = plan
        # a new part-timer earns from the first sale
        self._order(self.account, 12_000, date=date(2025, 1, 10), user=self.ka_user)
        january = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        self.assertEqual(self._lines(january).rate, 5.5)
        # nothing in February, March, April: May's sale earns nothing
        may_order = self._order(
            self.account, 12_000, date=date(2025, 5, 10), user=self.ka_user
        )
        may = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        line = self._lines(may)
        self.assertEqual(line.amount_commission, 0)
        self.assertIn("no sale in the 3 calendar months", line.reason)
        self.assertIn("no sale in the 3 calendar months", may_order.message_ids[0].body)
        self._settle(date(2025, 5, 1), date(2025, 5, 31))  # noted once
        self.assertEqual(
            len(may_order.message_ids.filtered(lambda m: "calendar months" in m.body)),
            1,
        )
        # with a sale in April, May earns again
        self._order(self.account, 100, date=date(2025, 4, 10), user=self.ka_user)
        may = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        self.assertGreater(self._lines(may).amount_commission, 0)
        # full-timers are not concerned
        self._order(self.account, 12_000, date=date(2025, 1, 10), user=self.ka_user2)
        self._order(self.account, 12_000, date=date(2025, 6, 10), user=self.ka_user2)
        june = self._settle(date(2025, 6, 1), date(2025, 6, 30), users=self.ka_user2)
        self.assertEqual(june.amount_commission, 660)

    def test_award_proposals(self):
        Target = self.env["key_account.commission.target"]
        for user in (self.ka_user, self.ka_user2):
            Target.create(
                {"user_id": user.id, "month": date(2025, 9, 1), "amount": 10_000}
            )
        # 2025-09-01 is a Monday: weeks end on the 7th, 14th, 21st, 28th
        self._order(self.account, 2_000, date=date(2025, 9, 2), user=self.ka_user)
        self._order(self.account, 1_000, date=date(2025, 9, 3), user=self.ka_user2)
        self._order(self.account, 4_000, date=date(2025, 9, 9), user=self.ka_user2)
        self._order(self.account, 9_000, date=date(2025, 9, 16), user=self.ka_user)
        settlements = self._settle(date(2025, 9, 1), date(2025, 9, 30))
        lines = self.Settlement.propose_awards(date(2025, 9, 1), date(2025, 9, 30))
        got = sorted(
            (line.user_id.login, line.amount_commission, line.reason) for line in lines
        )
        self.assertEqual(
            got,
            [
                # week 1: 2,000 is not above a quarter of 10,000: no award
                ("ka_user", 200, "Weekly champion, week of 2025-09-15"),
                ("ka_user", 300, "Monthly champion 2025-09"),  # 11,000 > 10,000
                ("ka_user2", 200, "Weekly champion, week of 2025-09-08"),
            ],
        )
        self.assertFalse(
            self.Settlement.propose_awards(date(2025, 9, 1), date(2025, 9, 30))
        )
        # proposals survive a recompute; a manager may delete them
        self._settle(date(2025, 9, 1), date(2025, 9, 30))
        self.assertTrue(lines.exists())
        self.assertEqual(
            settlements.filtered(lambda s: s.user_id == self.ka_user).amount_commission,
            round(11_000 * 0.055, 2) + 500,
        )

    def test_award_amounts_and_penalty_from_settings(self):
        self.company.write(
            {"ka_award_weekly": 250, "ka_award_monthly": 400, "ka_penalty_factor": 10}
        )
        Target = self.env["key_account.commission.target"]
        Target.create(
            {"user_id": self.ka_user.id, "month": date(2025, 9, 1), "amount": 1_000}
        )
        self._order(self.account, 5_000, date=date(2025, 9, 16), user=self.ka_user)
        settlement = self._settle(date(2025, 9, 1), date(2025, 9, 30))
        awards = self.Settlement.propose_awards(date(2025, 9, 1), date(2025, 9, 30))
        self.assertEqual(sorted(awards.mapped("amount_commission")), [250, 400])
        monthly = awards.filtered(lambda line: line.amount_commission == 400)
        # fraud found: the penalty defaults to 10 times the award
        penalty = self.env["key_account.commission.settlement.line"].create(
            {
                "settlement_id": settlement.id,
                "line_type": "penalty",
                "penalized_line_id": monthly.id,
                "reason": "Bought from himself to reach the target",
            }
        )
        self.assertEqual(penalty.amount_commission, -4_000)
        self.assertEqual(penalty.user_id, self.ka_user)

    def test_pdf_statement_lists_every_order(self):
        orders = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        ) | self._order(self.account, 2_000, date=date(2025, 1, 12), user=self.ka_user)
        settlement = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "key_account.report_commission_settlement", settlement.ids
            )[0]
            .decode()
        )
        for order in orders:
            self.assertIn(order.name, html)

    def test_cancel_with_reason(self):
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        settlement = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        settlement.action_confirm()
        with self.assertRaises(UserError):
            settlement.with_user(self.ka_user).action_cancel("mine")
        manager_view = settlement.with_user(self.ka_manager)
        with self.assertRaises(UserError):
            manager_view.action_cancel(" ")
        wizard = (
            self.env["key_account.commission.settlement.cancel"]
            .with_user(self.ka_manager)
            .create(
                {
                    "settlement_ids": [Command.set(settlement.ids)],
                    "reason": "Wrong plan",
                }
            )
        )
        wizard.action_cancel()
        self.assertEqual(settlement.state, "cancelled")
        self.assertEqual(settlement.cancel_reason, "Wrong plan")
        # its orders are free again
        again = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        self.assertEqual(len(again.line_ids), 1)
        self.assertNotEqual(again, settlement)

    def test_compute_wizard_and_cron(self):
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        wizard = (
            self.env["key_account.commission.compute"]
            .with_user(self.ka_manager)
            .create(
                {
                    "cadence": "monthly",
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )
        action = wizard.action_compute()
        settlement = self.Settlement.search(action["domain"])
        self.assertEqual(settlement.user_id, self.ka_user)
        with freeze_time("2025-02-01"):
            self.Settlement._cron_compute_settlements()
        self.assertEqual(len(settlement.line_ids), 1)

    def test_access(self):
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        self._order(self.account, 5_000, date=date(2025, 1, 11), user=self.ka_user2)
        settlements = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        self.assertEqual(len(settlements), 2)
        Settlement = self.Settlement.with_user(self.ka_user)
        mine = Settlement.search([])
        self.assertEqual(mine.user_id, self.ka_user)
        self.assertEqual(
            len(Settlement.env["key_account.commission.settlement.line"].search([])), 1
        )
        self.assertEqual(
            self.Settlement.with_user(self.ka_manager).search(
                [("id", "in", settlements.ids)]
            ),
            settlements,
        )
        with self.assertRaises(AccessError):
            mine.write({"date_to": date(2025, 2, 1)})
        with self.assertRaises(AccessError):
            Settlement.compute_settlements(date(2025, 1, 1), date(2025, 1, 31))
        with self.assertRaises(AccessError):
            self.Settlement.with_user(self.outsider).search([])
        action = self.env.ref("key_account.key_account_commission_settlement_action_my")
        self.assertIn("'edit': False", action.context)


@tagged("post_install", "-at_install")
class TestCommissionComputeWizard(CommissionCase):
    """Compute Commissions, as the manager who opens it from the menu."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Wizard = cls.env["key_account.commission.compute"].with_user(cls.ka_manager)
        cls.two_months = cls.plan.copy({"cadence": "bimonthly"})

    def test_every_wizard_opens(self):
        """default_get of each wizard of the app, as a manager (a default
        that crashes is an "Oops!" on the menu)."""
        wizards = [
            name
            for name, model in self.env.registry.items()
            if name.startswith("key_account.") and model._transient
        ]
        self.assertIn("key_account.commission.compute", wizards)
        for name in wizards:
            Wizard = self.env[name].with_user(self.ka_manager)
            with self.subTest(wizard=name):
                self.assertIsInstance(Wizard.default_get(list(Wizard._fields)), dict)

    def test_default_period_follows_the_cadence(self):
        with freeze_time("2025-11-15"):
            defaults = self.Wizard.default_get(list(self.Wizard._fields))
            # both salespeople are paid monthly
            self.assertEqual(defaults["cadence"], "monthly")
            form = Form(self.Wizard)
            self.assertEqual(
                (form.date_from, form.date_to), (date(2025, 10, 1), date(2025, 10, 31))
            )
            form.cadence = "bimonthly"
            self.assertEqual(
                (form.date_from, form.date_to), (date(2025, 9, 1), date(2025, 10, 31))
            )
            # most salespeople on two-month plans: two months by default
            (self.ka_user | self.ka_user2).ka_commission_plan_id = self.two_months
            self.assertEqual(Form(self.Wizard).date_from, date(2025, 9, 1))
        with freeze_time("2026-01-10"):
            form = Form(self.Wizard)
            self.assertEqual(
                (form.cadence, form.date_from, form.date_to),
                ("bimonthly", date(2025, 11, 1), date(2025, 12, 31)),
            )

    def test_end_to_end_with_awards(self):
        self.env["key_account.commission.target"].create(
            {"user_id": self.ka_user.id, "month": date(2025, 10, 1), "amount": 10_000}
        )
        self._order(self.account, 15_000, date=date(2025, 10, 14), user=self.ka_user)
        self._order(self.account, 2_000, date=date(2025, 10, 15), user=self.ka_user2)
        with freeze_time("2025-11-03"):
            form = Form(self.Wizard)
            form.propose_awards = True
            wizard = form.save()
            action = wizard.action_compute()
        settlements = self.Settlement.search(action["domain"])
        self.assertEqual(settlements.user_id, self.ka_user | self.ka_user2)
        self.assertEqual(settlements.mapped("date_from"), [date(2025, 10, 1)] * 2)
        awards = settlements.line_ids.filtered(lambda line: line.line_type == "award")
        self.assertIn("Monthly champion 2025-10", awards.mapped("reason"))
        self.assertEqual(awards.user_id, self.ka_user)
        # without the box, no award is proposed
        with freeze_time("2025-11-03"):
            Form(self.Wizard).save().action_compute()
        self.assertEqual(
            settlements.line_ids.filtered(lambda line: line.line_type == "award"),
            awards,
        )

    def test_one_cadence_at_a_time(self):
        self.ka_user2.ka_commission_plan_id = self.two_months
        self._order(self.account, 15_000, date=date(2025, 10, 14), user=self.ka_user)
        self._order(self.account, 2_000, date=date(2025, 10, 15), user=self.ka_user2)
        with freeze_time("2025-11-03"):
            form = Form(self.Wizard)
            form.cadence = "monthly"
            form.user_ids.add(self.ka_user)
            form.user_ids.add(self.ka_user2)
            wizard = form.save()
            with self.assertRaises(UserError) as caught:
                wizard.action_compute()
            self.assertIn(self.ka_user2.name, str(caught.exception))
            self.assertIn(self.two_months.name, str(caught.exception))
            wizard.user_ids = self.outsider
            with self.assertRaises(UserError) as caught:
                wizard.action_compute()
            self.assertIn(self.outsider.name, str(caught.exception))
            # everybody of the monthly cadence: not the two-month colleague
            # (one of each: two months by default, as the shipped plans)
            form = Form(self.Wizard)
            self.assertEqual(form.cadence, "bimonthly")
            form.cadence = "monthly"
            action = form.save().action_compute()
            self.assertEqual(
                self.Settlement.search(action["domain"]).user_id, self.ka_user
            )
            form = Form(self.Wizard)
            form.cadence = "bimonthly"
            action = form.save().action_compute()
            settlement = self.Settlement.search(action["domain"])
            self.assertEqual(settlement.user_id, self.ka_user2)
            self.assertEqual(settlement.date_from, date(2025, 9, 1))

    def test_overlaps_left_out_and_said(self):
        self._order(self.account, 15_000, date=date(2025, 10, 14), user=self.ka_user)
        self._order(self.account, 2_000, date=date(2025, 10, 15), user=self.ka_user2)
        earlier = self._settle(date(2025, 9, 15), date(2025, 10, 14), self.ka_user)
        with freeze_time("2025-11-03"):
            # named: refused, naming the settlement
            form = Form(self.Wizard)
            form.user_ids.add(self.ka_user)
            with self.assertRaises(UserError) as caught:
                form.save().action_compute()
            self.assertIn(earlier.name, str(caught.exception))
            # everybody: left out, and said
            action = Form(self.Wizard).save().action_compute()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(earlier.name, action["params"]["message"])
        settlements = self.Settlement.search(action["params"]["next"]["domain"])
        self.assertEqual(settlements.user_id, self.ka_user2)

    def test_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["key_account.commission.compute"].with_user(self.ka_user).create(
                {"cadence": "monthly"}
            )
        with self.assertRaises(AccessError):
            self._as(self.Settlement, self.ka_user).compute_settlements(
                date(2025, 1, 1), date(2025, 1, 31)
            )
        with self.assertRaises(AccessError):
            self._as(self.Settlement, self.ka_approver)._ka_compute_settlements(
                date(2025, 1, 1), date(2025, 1, 31)
            )


@tagged("post_install", "-at_install")
class TestCommissionCountedOnce(CommissionCase):
    """An order is in one live settlement (draft, confirmed, paid) at most;
    periods of one salesperson and company do not overlap; confirmation and
    payment check again."""

    def _orders_in_live_settlements(self):
        """The orders of the tests' salespeople in live settlements, and how
        many order lines count them."""
        lines = self.env["key_account.commission.settlement.line"].search(
            [
                ("user_id", "in", (self.ka_user | self.ka_user2).ids),
                ("line_type", "=", "order"),
                ("state", "in", ("draft", "confirmed", "paid")),
            ]
        )
        return lines.order_id, len(lines)

    def test_two_month_period_then_one_month(self):
        """The report: the plans settle every two months, the wizard offered
        one month; September-October existed, computing October counted its
        orders twice."""
        two_months = self.plan.copy({"cadence": "bimonthly"})
        self.ka_user.ka_commission_plan_id = two_months
        self._order(self.account, 12_000, date=date(2025, 9, 10), user=self.ka_user)
        self._order(self.account, 8_000, date=date(2025, 10, 10), user=self.ka_user)
        colleague_order = self._order(
            self.account, 5_000, date=date(2025, 10, 5), user=self.ka_user2
        )
        Settlement = self._as(self.Settlement, self.ka_manager)
        sep_oct = Settlement.compute_settlements(
            date(2025, 9, 1), date(2025, 10, 31), users=self.ka_user
        )
        self.assertEqual(sep_oct.amount_base, 20_000)
        count = self.Settlement.search_count([])
        with self.assertRaises(UserError) as caught:
            Settlement.compute_settlements(
                date(2025, 10, 1), date(2025, 10, 31), users=self.ka_user
            )
        self.assertIn(sep_oct.name, str(caught.exception))
        self.assertEqual(self.Settlement.search_count([]), count)
        # for everybody: he is left out and the result says so; his colleague
        # is computed
        october, overlaps = Settlement._ka_compute_settlements(
            date(2025, 10, 1), date(2025, 10, 31), skip_overlaps=True
        )
        self.assertEqual(overlaps, sep_oct)
        self.assertEqual(october.user_id, self.ka_user2)
        self.assertEqual(october.line_ids.order_id, colleague_order)
        orders, count = self._orders_in_live_settlements()
        self.assertEqual(len(orders), count)
        # another company keeps its own periods
        other = self.env["res.company"].create({"name": "Other Commission Co"})
        (self.ka_user | self.ka_manager).company_ids |= other
        foreign = self._order(
            self._account("Foreign Co"),
            3_000,
            date=date(2025, 10, 20),
            user=self.ka_user,
            company=other,
        )
        there = Settlement.with_company(other).compute_settlements(
            date(2025, 10, 1), date(2025, 10, 31), users=self.ka_user
        )
        self.assertEqual(there.company_id, other)
        self.assertEqual(there.line_ids.order_id, foreign)
        # cancelled, the two-month settlement frees its orders and its period
        self._as(sep_oct, self.ka_manager).action_cancel("One month only")
        october = Settlement.with_company(self.company).compute_settlements(
            date(2025, 10, 1), date(2025, 10, 31), users=self.ka_user
        )
        self.assertEqual(october.amount_base, 8_000)

    def test_late_orders_of_a_settled_period(self):
        """Computing a settled period again (an order confirmed late) makes a
        second settlement with the late order only, at the tier of the whole
        period; the period's expenses are deducted once and its fixed reward
        paid once (only what a higher tier adds)."""
        self.plan.deduct_expenses = True
        self._order(self.account, 12_000, date=date(2025, 8, 3), user=self.ka_user)
        visit = self.env["key_account.visit"].create(
            {"partner_id": self.account.id, "user_id": self.ka_user.id}
        )
        self.env["key_account.expense"].create(
            {
                "visit_id": visit.id,
                "kind": "actual",
                "expense_type": "hospitality",
                "name": "Dinner",
                "amount": 2_000,
            }
        ).write(
            {"reimbursement_state": "reimbursed", "reimbursed_date": date(2025, 8, 20)}
        )
        august = self._settle(date(2025, 8, 1), date(2025, 8, 31))
        # 12,000 - 2,000 = 10,000: 5.5%
        self.assertEqual(august.amount_commission, 550)
        self._as(august, self.ka_manager).action_confirm()
        late = self._order(
            self.account, 9_000, date=date(2025, 8, 25), user=self.ka_user
        )
        again = self._settle(date(2025, 8, 1), date(2025, 8, 31))
        self.assertNotEqual(again, august)
        self.assertEqual(again.line_ids.order_id, late)
        self.assertFalse(self._lines(again, "expense"))
        # the whole period: 12,000 + 9,000 - 2,000 = 19,000, still 5.5%
        self.assertEqual(self._lines(again).rate, 5.5)
        self.assertEqual(again.amount_commission, 495)
        self.assertEqual(august.amount_commission, 550)
        # a part-timer's fixed reward: paid once, then what a higher tier adds
        self.ka_user2.ka_commission_plan_id = self.part_time.copy(
            {"cadence": "monthly"}
        )
        self._order(self.account, 3_000, date=date(2025, 9, 3), user=self.ka_user2)
        first = self._settle(date(2025, 9, 1), date(2025, 9, 30), users=self.ka_user2)
        self.assertEqual(self._lines(first, "reward").amount_commission, 600)
        self._as(first, self.ka_manager).action_confirm()
        self._order(self.account, 1_000, date=date(2025, 9, 20), user=self.ka_user2)
        second = self._settle(date(2025, 9, 1), date(2025, 9, 30), users=self.ka_user2)
        # 4,000 in all: the same tier, no second reward
        self.assertFalse(self._lines(second, "reward"))
        self.assertEqual(second.amount_commission, 0)
        self._order(self.account, 2_000, date=date(2025, 9, 21), user=self.ka_user2)
        second = self._settle(date(2025, 9, 1), date(2025, 9, 30), users=self.ka_user2)
        # 6,000: the 2 g tier (1,200), of which 600 paid
        self.assertEqual(self._lines(second, "reward").amount_commission, 600)

    def test_an_order_in_one_live_settlement(self):
        """A reassigned order stays in the draft that holds it."""
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        mine = self._settle(date(2025, 1, 1), date(2025, 1, 31), users=self.ka_user)
        self.assertEqual(mine.line_ids.order_id, order)
        order.user_id = self.ka_user2
        self.assertFalse(
            self._settle(date(2025, 1, 1), date(2025, 1, 31), users=self.ka_user2)
        )
        # recomputing the draft that holds it keeps it
        self.assertFalse(
            self._settle(
                date(2025, 1, 1), date(2025, 1, 31), users=self.ka_user
            ).line_ids.order_id
        )
        self.assertFalse(mine.line_ids)
        # freed, it goes to its new salesperson
        theirs = self._settle(date(2025, 1, 1), date(2025, 1, 31), users=self.ka_user2)
        self.assertEqual(theirs.line_ids.order_id, order)

    def _legacy_duplicate(self):
        """Two drafts counting the same order, as computed before the rule."""
        order = self._order(
            self.account, 15_000, date=date(2025, 10, 10), user=self.ka_user
        )
        sep_oct = self._settle(date(2025, 9, 1), date(2025, 10, 31))
        october = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2025, 10, 1),
                "date_to": date(2025, 10, 31),
                "plan_id": self.plan.id,
                "line_ids": [
                    Command.create(
                        {
                            "line_type": "order",
                            "order_id": order.id,
                            "amount_base": 15_000,
                            "rate": 5.5,
                            "amount_commission": 825,
                        }
                    )
                ],
            }
        )
        return order, sep_oct, october

    def test_confirm_checks_again(self):
        _order, sep_oct, october = self._legacy_duplicate()
        # both at once: refused
        with self.assertRaises(UserError):
            self._as(sep_oct | october, self.ka_manager).action_confirm()
        self.assertEqual(set((sep_oct | october).mapped("state")), {"draft"})
        # one, then the other: the second is refused, naming the first
        self._as(october, self.ka_manager).action_confirm()
        with self.assertRaises(UserError) as caught:
            self._as(sep_oct, self.ka_manager2).action_confirm()
        self.assertIn(october.name, str(caught.exception))
        self.assertEqual(sep_oct.state, "draft")

    def test_pay_checks_again(self):
        _order, sep_oct, october = self._legacy_duplicate()
        # both confirmed before the rule
        (sep_oct | october)._ka_workflow_write({"state": "confirmed"})
        with self.assertRaises(UserError) as caught:
            self._as(sep_oct, self.ka_approver).action_pay()
        self.assertIn(october.name, str(caught.exception))
        self.assertEqual(sep_oct.state, "confirmed")
        self._as(october, self.ka_manager).action_cancel("Counted in September")
        self._as(sep_oct, self.ka_approver).action_pay()
        self.assertEqual(sep_oct.state, "paid")

    def test_overlapping_period_refused_at_confirmation(self):
        """Another period of the same salesperson: its expenses, reward and
        tier would be counted twice even without a shared order."""
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        january = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        legacy = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 2, 28),
            }
        )
        self._as(january, self.ka_manager).action_confirm()
        with self.assertRaises(UserError) as caught:
            self._as(legacy, self.ka_manager).action_confirm()
        self.assertIn(january.name, str(caught.exception))
        # the colleague's settlement of the same period is not concerned
        self._order(self.account, 4_000, date=date(2025, 1, 12), user=self.ka_user2)
        colleague = self._settle(date(2025, 1, 1), date(2025, 2, 28), self.ka_user2)
        self._as(colleague, self.ka_manager).action_confirm()
        self.assertEqual(colleague.state, "confirmed")

    def test_reversal_counted_once(self):
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        january = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        january.action_confirm()
        order._action_cancel()
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        self.assertTrue(self._lines(february, "reversal"))
        # the reversal is held by the February draft: March does not repeat it
        self.assertFalse(self._settle(date(2025, 3, 1), date(2025, 3, 31)))
        # a copy made before the rule cannot be confirmed after it
        march = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2025, 3, 1),
                "date_to": date(2025, 3, 31),
                "line_ids": [
                    Command.create(
                        {
                            "line_type": "reversal",
                            "order_id": order.id,
                            "reversed_line_id": self._lines(january).id,
                            "amount_commission": -825,
                        }
                    )
                ],
            }
        )
        self._as(february, self.ka_manager).action_confirm()
        with self.assertRaises(UserError) as caught:
            self._as(march, self.ka_manager).action_confirm()
        self.assertIn(february.name, str(caught.exception))

    def test_periods_of_each_cadence(self):
        last = self.Settlement._ka_last_period
        for today, cadence, period in (
            (date(2025, 1, 15), "bimonthly", (date(2024, 11, 1), date(2024, 12, 31))),
            (date(2025, 2, 1), "bimonthly", (date(2024, 11, 1), date(2024, 12, 31))),
            (date(2025, 3, 1), "bimonthly", (date(2025, 1, 1), date(2025, 2, 28))),
            (date(2025, 12, 31), "bimonthly", (date(2025, 9, 1), date(2025, 10, 31))),
            (date(2025, 3, 1), "monthly", (date(2025, 2, 1), date(2025, 2, 28))),
            (date(2025, 1, 31), "monthly", (date(2024, 12, 1), date(2024, 12, 31))),
        ):
            with self.subTest(today=today, cadence=cadence):
                self.assertEqual(last(cadence, today), period)

    def test_cron_skips_overlaps(self):
        """The monthly cron computes each cadence's period; a salesperson
        with an overlapping settlement is left out, not a failure."""
        two_months = self.plan.copy({"cadence": "bimonthly"})
        self._order(self.account, 12_000, date=date(2025, 9, 10), user=self.ka_user)
        self._order(self.account, 8_000, date=date(2025, 10, 10), user=self.ka_user)
        self._order(self.account, 5_000, date=date(2025, 10, 5), user=self.ka_user2)
        # October computed while he was paid monthly, then his plan changed
        october = self._settle(date(2025, 10, 1), date(2025, 10, 31), self.ka_user)
        self.ka_user.ka_commission_plan_id = two_months
        with freeze_time("2025-11-01"):
            self.Settlement._cron_compute_settlements()
        computed = self.Settlement.search(
            [("user_id", "in", (self.ka_user | self.ka_user2).ids)]
        )
        self.assertEqual(
            sorted((s.user_id.login, s.date_from, s.date_to) for s in computed),
            [
                ("ka_user", date(2025, 10, 1), date(2025, 10, 31)),
                ("ka_user2", date(2025, 10, 1), date(2025, 10, 31)),
            ],
        )
        october.action_cancel("Paid every two months now")
        with freeze_time("2025-11-01"):
            self.Settlement._cron_compute_settlements()
        sep_oct = self.Settlement.search(
            [("user_id", "=", self.ka_user.id), ("state", "=", "draft")]
        )
        self.assertEqual(
            (sep_oct.date_from, sep_oct.amount_base), (date(2025, 9, 1), 20_000)
        )
        # after November: monthly plans only
        self._order(self.account, 1_000, date=date(2025, 11, 5), user=self.ka_user)
        with freeze_time("2025-12-01"):
            self.Settlement._cron_compute_settlements()
        self.assertFalse(
            self.Settlement.search(
                [("user_id", "=", self.ka_user.id), ("date_to", ">", date(2025, 11, 1))]
            )
        )

    def test_totals_add_up(self):
        """The list, pivot and dashboard totals per salesperson are the sum of
        their orders' commissions: no settlement adds an order twice."""
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        self._order(self.account, 5_000, date=date(2025, 2, 10), user=self.ka_user)
        self._order(self.account, 30_000, date=date(2025, 1, 20), user=self.ka_user2)
        Settlement = self._as(self.Settlement, self.ka_manager)
        january = Settlement.compute_settlements(date(2025, 1, 1), date(2025, 1, 31))
        january.action_confirm()
        # cancelled and computed again, then a two-month attempt (refused)
        mine = january.filtered(lambda s: s.user_id == self.ka_user)
        mine.action_cancel("Wrong plan")
        Settlement.compute_settlements(date(2025, 1, 1), date(2025, 1, 31))
        with self.assertRaises(UserError):
            Settlement.compute_settlements(
                date(2025, 1, 1), date(2025, 2, 28), users=self.ka_user
            )
        self.assertFalse(
            Settlement.compute_settlements(date(2025, 1, 1), date(2025, 2, 28))
        )
        Settlement.compute_settlements(date(2025, 2, 1), date(2025, 2, 28))
        # 15,000 x 5.5% + 5,000 x 5%; 30,000 x 6%
        expected = {self.ka_user: 825 + 250, self.ka_user2: 1_800}
        orders, count = self._orders_in_live_settlements()
        self.assertEqual((len(orders), count), (3, 3))

        def totals(user, action_xmlid, filters=()):
            action = self.env.ref(action_xmlid)
            domain = safe_eval(action.domain or "[]", {"uid": user.id})
            arch = etree.fromstring(
                self.Settlement.with_user(user).get_views([(False, "search")])["views"][
                    "search"
                ]["arch"]
            )
            for name in filters:
                self.assertIn(f"search_default_{name}", action.context)
                (node,) = arch.xpath(f"//filter[@name='{name}']")
                domain += safe_eval(node.get("domain"), {"uid": user.id})
            groups = self.Settlement.with_user(user).read_group(
                domain, ["amount_commission:sum"], ["user_id"]
            )
            return {
                self.env["res.users"].browse(g["user_id"][0]): g["amount_commission"]
                for g in groups
                if g["user_id"][0] in (self.ka_user | self.ka_user2).ids
            }

        dashboard = "key_account.key_account_commission_settlement_action_dashboard"
        self.assertEqual(totals(self.ka_manager, dashboard), expected)
        self.assertEqual(
            totals(
                self.ka_manager,
                "key_account.key_account_commission_settlement_action",
                ["live"],
            ),
            expected,
        )
        my = "key_account.key_account_commission_settlement_action_my"
        for user in (self.ka_user, self.ka_user2):
            self.assertEqual(totals(user, my), {user: expected[user]})


@tagged("post_install", "-at_install")
class TestCommissionSeparationOfDuties(CommissionCase):
    """A manager confirms and cancels, Finance pays, nobody their own
    settlement; salespeople read theirs, Finance reads all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # managers and Finance people sell too
        (cls.ka_manager | cls.ka_approver).ka_commission_plan_id = cls.plan
        for user, amount in (
            (cls.ka_user, 15_000),
            (cls.ka_user2, 4_000),
            (cls.ka_manager, 30_000),
            (cls.ka_approver, 2_000),
        ):
            cls._order(cls.account, amount, date=date(2025, 1, 10), user=user)
        settlements = cls.env["key_account.commission.settlement"].compute_settlements(
            date(2025, 1, 1), date(2025, 1, 31)
        )
        cls.by_user = {s.user_id: s for s in settlements}
        cls.other_company = cls.env["res.company"].create({"name": "Other Pay Co"})
        cls.manager_elsewhere = new_test_user(
            cls.env,
            login="ka_manager_c2",
            groups="key_account.group_key_account_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    def test_nobody_settles_their_own(self):
        mine = self.by_user[self.ka_user]
        # a salesperson, over the ORM, on their own draft
        for action in (
            lambda: self._as(mine, self.ka_user).action_confirm(),
            lambda: self._as(mine, self.ka_user).action_pay(),
            lambda: self._as(mine, self.ka_user).action_cancel("mine"),
            lambda: self._as(mine, self.ka_user).write({"state": "paid"}),
        ):
            with self.assertRaises(AccessError):
                action()
        self.assertEqual(mine.state, "draft")
        # a manager, on their own: a second manager confirms it
        own = self.by_user[self.ka_manager]
        with self.assertRaises(AccessError):
            self._as(own, self.ka_manager).action_confirm()
        self._as(own, self.ka_manager2).action_confirm()
        with self.assertRaises(AccessError):
            self._as(own, self.ka_manager).action_cancel("Too low")
        wizard = self._as(
            self.env["key_account.commission.settlement.cancel"], self.ka_manager
        ).create({"settlement_ids": [Command.set(own.ids)], "reason": "Too low"})
        with self.assertRaises(AccessError):
            wizard.action_cancel()
        self.assertEqual(own.state, "confirmed")
        # Finance neither confirms nor cancels; a manager does not pay
        with self.assertRaises(AccessError):
            self._as(mine, self.ka_approver).action_confirm()
        self._as(mine, self.ka_manager).action_confirm()
        with self.assertRaises(AccessError):
            self._as(mine, self.ka_approver).action_cancel("No")
        with self.assertRaises(AccessError):
            self._as(mine, self.ka_manager).action_pay()
        self._as(mine, self.ka_approver).action_pay()
        self.assertEqual(mine.state, "paid")
        # Finance does not pay themselves
        theirs = self.by_user[self.ka_approver]
        self._as(theirs, self.ka_manager).action_confirm()
        with self.assertRaises(AccessError):
            self._as(theirs, self.ka_approver).action_pay()
        self.assertEqual(theirs.state, "confirmed")
        # nor does a manager of another company touch these
        with self.assertRaises(AccessError):
            elsewhere = self._as(self.by_user[self.ka_user2], self.manager_elsewhere)
            elsewhere.action_confirm()
        self.assertEqual(self.by_user[self.ka_user2].state, "draft")
        self._as(own, self.ka_manager2).action_cancel("Wrong plan")
        self.assertEqual(own.state, "cancelled")

    def test_who_reads_what(self):
        ours = self.env["key_account.commission.settlement"].browse(
            [s.id for s in self.by_user.values()]
        )
        Settlement = self.Settlement.with_context(**HOSTILE_CONTEXT)
        Line = self.env["key_account.commission.settlement.line"].with_context(
            **HOSTILE_CONTEXT
        )
        mine = self.by_user[self.ka_user]
        # salespeople: their own
        self.assertEqual(Settlement.with_user(self.ka_user).search([]), mine)
        self.assertEqual(Line.with_user(self.ka_user).search([]).settlement_id, mine)
        with self.assertRaises(AccessError):
            self.by_user[self.ka_user2].with_user(self.ka_user).read(["name"])
        # Finance: all, read-only
        finance = Settlement.with_user(self.ka_approver)
        self.assertEqual(finance.search([("id", "in", ours.ids)]), ours)
        self.assertEqual(
            Line.with_user(self.ka_approver).search(
                [("settlement_id", "in", ours.ids)]
            ),
            ours.line_ids,
        )
        groups = finance.read_group(
            [("id", "in", ours.ids)], ["amount_commission:sum"], ["user_id"]
        )
        self.assertEqual(len(groups), 4)
        for action in (
            lambda: mine.with_user(self.ka_approver).write({"plan_id": False}),
            lambda: mine.with_user(self.ka_approver).unlink(),
            lambda: mine.line_ids.with_user(self.ka_approver).write({"rate": 1}),
            lambda: Line.with_user(self.ka_approver).create(
                {
                    "settlement_id": mine.id,
                    "line_type": "award",
                    "amount_commission": 1,
                    "reason": "Me",
                }
            ),
        ):
            with self.assertRaises(AccessError):
                action()
        # managers: all of their companies; another company's: none
        self.assertEqual(
            Settlement.with_user(self.ka_manager).search([("id", "in", ours.ids)]),
            ours,
        )
        self.assertFalse(
            Settlement.with_user(self.manager_elsewhere).search(
                [("id", "in", ours.ids)]
            )
        )

    def test_buttons_and_menus_by_role(self):
        def buttons(user):
            arch = etree.fromstring(
                self.Settlement.with_user(user).get_views([(False, "form")])["views"][
                    "form"
                ]["arch"]
            )
            return {node.get("name") for node in arch.xpath("//header/button")}

        self.assertEqual(
            buttons(self.ka_manager), {"action_confirm", "action_open_cancel_wizard"}
        )
        self.assertEqual(buttons(self.ka_approver), {"action_pay"})
        self.assertEqual(buttons(self.ka_user), set())
        settlements = self.env.ref("key_account.key_account_commission_settlement_menu")
        compute = self.env.ref("key_account.key_account_commission_compute_menu")
        Menu = self.env["ir.ui.menu"]
        for user, visible in (
            (self.ka_user, set()),
            (self.ka_approver, {settlements.id}),
            (self.ka_manager, {settlements.id, compute.id}),
        ):
            with self.subTest(user=user.login):
                self.assertEqual(
                    Menu.with_user(user)._visible_menu_ids()
                    & {settlements.id, compute.id},
                    visible,
                )

    def test_plan_and_status_for_managers(self):
        self.ka_user2.ka_commission_status = "probation"
        fields = ["ka_commission_plan_id", "ka_commission_status", "ka_below_target"]
        for reader in (self.ka_user, self.ka_approver):
            for fname in fields:
                with self.subTest(reader=reader.login, field=fname):
                    with self.assertRaises(AccessError):
                        self.ka_user2.with_user(reader).read([fname])
                    if fname != "ka_below_target":  # not stored
                        with self.assertRaises(AccessError):
                            self.env["res.users"].with_user(reader).search(
                                [(fname, "!=", False)]
                            )
        with self.assertRaises(AccessError):
            self._as(self.ka_user, self.ka_user).write(
                {"ka_commission_status": "regular"}
            )
        # one's own plan and status, nobody else's
        own = self.ka_user.with_user(self.ka_user)
        self.assertEqual(
            own.read(["ka_my_commission_plan_id", "ka_my_commission_status"])[0][
                "ka_my_commission_plan_id"
            ][0],
            self.plan.id,
        )
        self.assertEqual(own.ka_my_commission_status, "regular")
        colleague = self.ka_user2.with_user(self.ka_user)
        self.assertFalse(colleague.ka_my_commission_plan_id)
        self.assertFalse(colleague.ka_my_commission_status)
        # managers read everybody's
        managed = self.ka_user2.with_user(self.ka_manager)
        self.assertEqual(managed.ka_commission_plan_id, self.plan)
        self.assertEqual(managed.ka_commission_status, "probation")
        self.assertFalse(managed.ka_below_target)

    def test_managers_assign_plans_and_statuses(self):
        """Commissions > Salespeople: a Key Account manager (no
        Administration rights) gives a salesperson a plan and a status in the
        list; not their own, nor to somebody of another company; a
        salesperson gives nobody anything."""
        self.assertFalse(self.ka_manager.has_group("base.group_erp_manager"))
        action = self.env.ref("key_account.res_users_action_ka_commission")
        menu = self.env.ref("key_account.res_users_menu_ka_commission")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.ka_manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.ka_user)._visible_menu_ids())
        Users = self.env["res.users"].with_user(self.ka_manager)
        listed = Users.search(safe_eval(action.domain))
        self.assertIn(self.ka_user2, listed)
        self.assertNotIn(self.outsider, listed)
        # the list the way the manager edits it: the web client's save
        view = self.env.ref("key_account.res_users_view_list_ka_commission")
        arch = etree.fromstring(
            Users.get_views([(view.id, "list")])["views"]["list"]["arch"]
        )
        self.assertEqual(arch.get("editable"), "bottom")
        self.assertTrue(arch.xpath("//field[@name='ka_commission_plan_id']"))
        saved = self.ka_user2.with_user(self.ka_manager).web_save(
            {
                "ka_commission_plan_id": self.part_time.id,
                "ka_commission_status": "probation",
            },
            {"name": {}, "ka_commission_status": {}, "ka_below_target": {}},
        )
        self.assertEqual(saved[0]["ka_commission_status"], "probation")
        self.assertEqual(self.ka_user2.ka_commission_plan_id, self.part_time)
        self.assertEqual(self.ka_user2.ka_commission_status, "probation")
        self.assertEqual(
            self.ka_user2.with_user(self.ka_user2).ka_my_commission_status, "probation"
        )
        # over the ORM, any context
        managed = self.ka_user2.with_user(self.ka_manager).with_context(
            **HOSTILE_CONTEXT
        )
        managed.write({"ka_commission_status": "demoted"})
        self.assertEqual(self.ka_user2.ka_commission_status, "demoted")
        # nothing else of the user, nor their own plan
        with self.assertRaises(AccessError):
            managed.write({"ka_commission_status": "regular", "name": "Renamed"})
        with self.assertRaises(AccessError):
            self.ka_manager.with_user(self.ka_manager).write(
                {"ka_commission_status": "regular", "ka_commission_plan_id": False}
            )
        # nobody outside their companies, nor a non-salesperson
        for user in (self.manager_elsewhere, self.outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                user.with_user(self.ka_manager).write(
                    {"ka_commission_status": "probation"}
                )
        other_plan = self.plan.copy({"company_id": self.other_company.id})
        with self.assertRaises(UserError):
            managed.write({"ka_commission_plan_id": other_plan.id})
        self.assertEqual(self.ka_user2.ka_commission_plan_id, self.part_time)
        self.assertEqual(self.ka_user2.ka_commission_status, "demoted")
        # a salesperson assigns nothing, to a colleague or to themselves
        for target in (self.ka_user2, self.ka_user):
            with self.subTest(target=target.login), self.assertRaises(AccessError):
                target.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(
                    {"ka_commission_plan_id": self.full_time.id}
                )
        self.assertEqual(self.ka_user2.ka_commission_plan_id, self.part_time)
        self.assertEqual(self.ka_user.ka_commission_plan_id, self.plan)

    def test_forms_open_for_every_role(self):
        mine = self.by_user[self.ka_user]
        for user in (self.ka_user, self.ka_approver, self.ka_manager):
            with self.subTest(user=user.login):
                form = Form(self.plan.with_user(user))
                self.assertEqual(form.name, self.plan.name)
                form = Form(mine.with_user(user))
                self.assertEqual(form.amount_commission, 825)
                prefs = Form(
                    user.with_user(user), view="base.view_users_form_simple_modif"
                )
                self.assertEqual(prefs.ka_my_commission_status, "regular")
        # managers see the plan's salespeople
        plan_form = Form(self.plan.with_user(self.ka_manager))
        self.assertEqual(len(plan_form.user_ids), len(self.plan.user_ids))
        users_form = Form(
            self.ka_user.with_user(self.ka_manager), view="base.view_users_form"
        )
        self.assertEqual(users_form.ka_commission_plan_id, self.plan)


@tagged("post_install", "-at_install")
class TestCommissionTextsAndNumbers(CommissionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.Managed = (
            cls.env["key_account.commission.settlement"]
            .with_user(cls.ka_manager)
            .with_context(**HOSTILE_CONTEXT)
        )

    def test_part_timer_noted_once_whatever_the_language(self):
        self.ka_user.ka_commission_plan_id = self.part_time.copy({"cadence": "monthly"})
        self._order(self.account, 12_000, date=date(2025, 1, 10), user=self.ka_user)
        may_order = self._order(
            self.account, 12_000, date=date(2025, 5, 10), user=self.ka_user
        )
        subtype = self.env.ref("key_account.mail_message_subtype_part_timer_inactive")

        def notes():
            return may_order.message_ids.filtered(lambda m: m.subtype_id == subtype)

        # the note is for the salesperson, in their language, whoever computes
        self.env["res.lang"]._activate_lang("zh_CN")
        self.ka_user.lang = "zh_CN"
        may = self.Managed.with_context(lang="en_US").compute_settlements(
            date(2025, 5, 1), date(2025, 5, 31)
        )
        self.assertEqual(len(notes()), 1)
        self.assertNotIn("calendar months", notes().body)
        self.assertIn("自然月", notes().body)
        self.assertIn("3", notes().body)
        self.Managed.with_context(lang="en_US").compute_settlements(
            date(2025, 5, 1), date(2025, 5, 31)
        )
        self.assertEqual(len(notes()), 1)
        self.assertEqual(
            len(
                may_order.message_ids.filtered(
                    lambda m: "calendar months" in m.body or "自然月" in m.body
                )
            ),
            1,
        )
        self.assertEqual(self._lines(may).amount_commission, 0)
        self.assertIn("no sale in the 3 calendar months", self._lines(may).reason)

    def test_referral_share_text(self):
        """One percent sign, in both languages."""
        contact = self.env["res.partner"].create({"name": "Rita Referral"})
        order = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        order.write({"ka_referral_partner_id": contact.id, "ka_referral_share": 100})
        for lang, text in (("en_US", "Referral share: 100%"), ("zh_CN", "100%")):
            with self.subTest(lang=lang):
                settlement = self.Managed.with_context(lang=lang).compute_settlements(
                    date(2025, 1, 1), date(2025, 1, 31)
                )
                reason = self._lines(settlement, "referral").reason
                self.assertIn(text, reason)
                self.assertNotIn("%%", reason)

    def test_numbers_not_nan_nor_infinite(self):
        """Over the ORM as a manager (JSON-RPC reads NaN and Infinity)."""
        self._order(self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user)
        draft = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        plan = self.plan.with_user(self.ka_manager).with_context(**HOSTILE_CONTEXT)
        target = (
            self.env["key_account.commission.target"]
            .with_user(self.ka_manager)
            .with_context(**HOSTILE_CONTEXT)
            .create(
                {
                    "user_id": self.ka_user.id,
                    "month": date(2025, 1, 1),
                    "amount": 1_000,
                }
            )
        )
        order_line = self._lines(draft).with_user(self.ka_manager)
        order = order_line.order_id.with_user(self.ka_manager)
        admin = self.env.ref("base.user_admin")
        Lines = order_line.browse()
        # a manager edits adjustments by hand, not the computed lines
        line = Lines.create(
            {
                "settlement_id": draft.id,
                "line_type": "correction",
                "reason": "Rounding",
                "amount_commission": 0,
            }
        )
        writes = [
            (plan, "discount_threshold"),
            (plan.tier_ids[:1], "amount_from"),
            (plan.tier_ids[:1], "amount_to"),
            (plan.tier_ids[:1], "rate"),
            (plan.tier_ids[:1], "fixed_amount"),
            (target, "amount"),
            (line, "amount_base"),
            (line, "price_ratio"),
            (line, "tier_rate"),
            (line, "rate"),
            (line, "amount_commission"),
            (order, "ka_referral_share"),
            (self.company.with_user(admin), "ka_award_weekly"),
            (self.company.with_user(admin), "ka_penalty_factor"),
        ]
        creates = [
            (
                plan.browse(),
                lambda bad: {
                    "name": "Bad plan",
                    "tier_ids": [Command.create({"amount_from": 0, "rate": bad})],
                },
            ),
            (
                target.browse(),
                lambda bad: {
                    "user_id": self.ka_user2.id,
                    "month": date(2025, 2, 1),
                    "amount": bad,
                },
            ),
            (
                Lines,
                lambda bad: {
                    "settlement_id": draft.id,
                    "line_type": "correction",
                    "reason": "Typo",
                    "amount_commission": bad,
                },
            ),
            (
                self.env["res.config.settings"].with_user(admin),
                lambda bad: {"ka_commission_factor_probation": bad},
            ),
        ]
        for bad in (float("nan"), float("inf"), float("-inf"), "NaN", "Infinity"):
            for record, fname in writes:
                with self.subTest(model=record._name, field=fname, value=bad):
                    before = record.read([fname])[0][fname]
                    with self.assertRaises(ValidationError) as caught:
                        record.write({fname: bad})
                    self.assertIn("finite number", str(caught.exception))
                    self.assertEqual(record.read([fname])[0][fname], before)
            for model, values in creates:
                with self.subTest(model=model._name, value=bad):
                    with self.assertRaises(ValidationError) as caught:
                        model.create(values(bad))
                    self.assertIn("finite number", str(caught.exception))
        self.assertEqual(draft.amount_commission, 825)


@tagged("post_install", "-at_install")
class TestCommissionPaidBasis(CommissionCase):
    """Plans paid on invoiced and paid amounts: an order counts in the period
    its customer invoices are fully paid in, credit notes are deducted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paid_plan = cls.plan.copy({"amount_basis": "paid"})
        cls.ka_user.ka_commission_plan_id = cls.paid_plan

    def _pay(self, move, day):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"payment_date": day})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def _invoice(self, order, day):
        invoice = order._create_invoices()
        invoice.invoice_date = day
        invoice.action_post()
        return invoice

    def _order_lines(self, settlements):
        return settlements.line_ids.filtered(lambda line: line.line_type == "order")

    def test_counted_when_paid(self):
        order = self._order(
            self.account, 30_000, date=date(2025, 2, 10), user=self.ka_user
        )
        # confirmed but not invoiced: nothing to pay on
        self.assertFalse(
            self._order_lines(self._settle(date(2025, 2, 1), date(2025, 2, 28)))
        )
        invoice = self._invoice(order, date(2025, 2, 20))
        # invoiced, not paid
        self.assertFalse(
            self._order_lines(self._settle(date(2025, 2, 1), date(2025, 3, 31)))
        )
        self._pay(invoice, date(2025, 3, 10))
        self.assertFalse(
            self._order_lines(self._settle(date(2025, 2, 1), date(2025, 2, 28)))
        )
        march = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        line = self._order_lines(march)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.order_id, order)
        self.assertEqual(line.invoice_id, invoice)
        self.assertEqual(line.date, date(2025, 3, 10))
        self.assertAlmostEqual(line.amount_base, 30_000)
        self.assertAlmostEqual(line.rate, 6.0)
        self.assertAlmostEqual(march.amount_commission, 1_800)
        # paid once, counted once
        march.action_confirm()
        again = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        self.assertFalse(self._order_lines(again))
        self.assertEqual(self._order_lines(march), line)

    def test_credit_note_deducted(self):
        order = self._order(
            self.account, 30_000, date=date(2025, 2, 10), user=self.ka_user
        )
        invoice = self._invoice(order, date(2025, 2, 20))
        self._pay(invoice, date(2025, 2, 25))
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        february.action_confirm()
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 4, 5), "date": date(2025, 4, 5)}]
        )
        refund.invoice_line_ids.price_unit = 10_000
        refund.action_post()
        self._pay(refund, date(2025, 4, 8))
        april = self._settle(date(2025, 4, 1), date(2025, 4, 30))
        line = self._order_lines(april)
        self.assertEqual((line.order_id, line.invoice_id), (order, refund))
        self.assertAlmostEqual(line.amount_base, -10_000)
        # no positive sales in April: the lowest tier's rate (5%)
        self.assertAlmostEqual(line.amount_commission, -500)

    def test_invoice_counted_once(self):
        """An (invoice, order) pair is in one live settlement at most, and a
        copy of it cannot be confirmed."""
        order = self._order(
            self.account, 30_000, date=date(2025, 2, 10), user=self.ka_user
        )
        invoice = self._invoice(order, date(2025, 2, 20))
        self._pay(invoice, date(2025, 3, 10))
        march = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        self.assertEqual(self._order_lines(march).invoice_id, invoice)
        # the order changes hands: the pair stays in the draft that holds it
        self.ka_user2.ka_commission_plan_id = self.paid_plan
        order.user_id = self.ka_user2
        self.assertFalse(
            self._order_lines(
                self._settle(date(2025, 3, 1), date(2025, 3, 31), self.ka_user2)
            )
        )
        copy = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2025, 4, 1),
                "date_to": date(2025, 4, 30),
                "line_ids": [
                    Command.create(
                        {
                            "line_type": "order",
                            "order_id": order.id,
                            "invoice_id": invoice.id,
                            "amount_commission": 1_800,
                        }
                    )
                ],
            }
        )
        self._as(march, self.ka_manager).action_confirm()
        with self.assertRaises(UserError) as caught:
            self._as(copy, self.ka_manager).action_confirm()
        self.assertIn(march.name, str(caught.exception))

    def test_other_plans_unchanged(self):
        """A salesperson on a confirmed-orders plan is paid on the order date,
        invoiced or not, in the same computation."""
        account2 = self._account("Second Co", user_id=self.ka_user2.id)
        self._order(account2, 12_000, date=date(2025, 2, 10), user=self.ka_user2)
        self._order(self.account, 30_000, date=date(2025, 2, 10), user=self.ka_user)
        settlements = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        lines = self._order_lines(settlements)
        self.assertEqual(lines.settlement_id.user_id, self.ka_user2)
        self.assertAlmostEqual(sum(lines.mapped("amount_base")), 12_000)

    def test_partial_payments_and_refund_to_the_cent(self):
        """An invoice paid in three parts over two months, and a credit note
        applied to it: each payment pays its share in its month, the credit
        note takes its share back when applied, to the cent; nothing is paid
        twice."""
        tax = self.env["account.tax"].create(
            {"name": "VAT 13%", "amount": 13, "type_tax_use": "sale"}
        )
        order = self._order(
            self.account, 10_000, date=date(2025, 1, 20), user=self.ka_user
        )
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 2, 1)
        invoice.invoice_line_ids.tax_ids = tax
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 11_300)

        def pay(amount, day):
            return (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"payment_date": day, "amount": amount})
                ._create_payments()
            )

        pay(3_333.33, date(2025, 2, 10))
        pay(1_666.67, date(2025, 2, 25))
        self.assertEqual(invoice.payment_state, "partial")
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        lines = self._order_lines(february).sorted("date")
        # 10,000 x 3,333.33 / 11,300, then 10,000 x 5,000 / 11,300 less it
        self.assertEqual(lines.mapped("amount_base"), [2_949.85, 1_474.93])
        self.assertEqual(lines.mapped("date"), [date(2025, 2, 10), date(2025, 2, 25)])
        self.assertEqual(lines.invoice_id, invoice)
        self.assertEqual(len(set(lines.mapped("partial_key"))), 2)
        self.assertEqual(
            february.amount_commission,
            sum(round(base * 0.05, 2) for base in (2_949.85, 1_474.93)),
        )
        self._as(february, self.ka_manager).action_confirm()
        # computed again: nothing left in February
        self.assertFalse(
            self._order_lines(self._settle(date(2025, 2, 1), date(2025, 2, 28)))
        )

        # a credit note of 1,000 + tax, posted on 5 March
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 3, 5), "date": date(2025, 3, 5)}]
        )
        refund.invoice_line_ids.price_unit = 1_000
        refund.action_post()
        self.assertAlmostEqual(refund.amount_total, 1_130)
        # Odoo applies a credit note to the open invoice it reverses
        self.assertEqual(refund.payment_state, "paid")
        self.assertAlmostEqual(invoice.amount_residual, 5_170)
        # the rest paid on 20 March
        pay(invoice.amount_residual, date(2025, 3, 20))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        march = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        lines = self._order_lines(march).sorted(lambda line: (line.date, line.id))
        self.assertEqual(
            [(line.invoice_id, line.amount_base) for line in lines],
            [(invoice, 1_000.0), (refund, -1_000.0), (invoice, 4_575.22)]
            if lines[0].invoice_id == invoice
            else [(refund, -1_000.0), (invoice, 1_000.0), (invoice, 4_575.22)],
        )
        # the credit note paid part of the invoice: each shows the other
        applied = lines.filtered(lambda line: line.date == date(2025, 3, 5))
        self.assertEqual(
            {line.invoice_id: line.payment_move_id for line in applied},
            {invoice: refund, refund: invoice},
        )
        self.assertEqual(march.amount_base, 4_575.22)
        self._as(march, self.ka_manager).action_confirm()

        # to the cent: the invoice paid its 10,000, the credit note took back
        # its 1,000, each share once
        settled = self.env["key_account.commission.settlement.line"].search(
            [
                ("order_id", "=", order.id),
                ("line_type", "=", "order"),
                ("state", "in", ("draft", "confirmed", "paid")),
            ]
        )
        self.assertEqual(len(settled), 5)
        by_move = {}
        for line in settled:
            by_move[line.invoice_id] = (
                by_move.get(line.invoice_id, 0) + line.amount_base
            )
        self.assertEqual(round(by_move[invoice], 2), 10_000)
        self.assertEqual(round(by_move[refund], 2), -1_000)
        keys = [(line.invoice_id.id, line.partial_key) for line in settled]
        self.assertEqual(len(keys), len(set(keys)))
        # nothing paid twice: the same month again is empty, the two months
        # at once are refused
        self.assertFalse(
            self._order_lines(self._settle(date(2025, 3, 1), date(2025, 3, 31)))
        )
        with self.assertRaises(UserError):
            self._settle(date(2025, 2, 1), date(2025, 3, 31), self.ka_user)
        # a copy of a settled share cannot be confirmed
        copy = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2025, 4, 1),
                "date_to": date(2025, 4, 30),
                "line_ids": [
                    Command.create(
                        {
                            "line_type": "order",
                            "order_id": order.id,
                            "invoice_id": invoice.id,
                            "partial_key": lines[-1].partial_key,
                            "amount_base": 4_575.22,
                        }
                    )
                ],
            }
        )
        with self.assertRaises(UserError) as caught:
            self._as(copy, self.ka_manager).action_confirm()
        self.assertIn(march.name, str(caught.exception))
        copy.unlink()

        # the last payment undone after March was settled: taken back in April
        last = lines[-1]
        self.env["account.partial.reconcile"].browse(last.partial_key).unlink()
        april = self._settle(date(2025, 4, 1), date(2025, 4, 30))
        reversal = self._lines(april, "reversal")
        self.assertEqual(reversal.reversed_line_id, last)
        self.assertEqual(reversal.amount_base, -4_575.22)
        self.assertEqual(reversal.amount_commission, -last.amount_commission)
        self.assertIn(invoice.name, reversal.reason)
        # and only once
        self._as(april, self.ka_manager).action_confirm()
        may = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        self.assertFalse(self._lines(may, "reversal"))

    def test_partial_payment_as_users(self):
        """The shares are the computation's: a salesperson computes nothing,
        and a manager cannot forge a share line, whatever the context."""
        order = self._order(
            self.account, 1_000, date=date(2025, 2, 1), user=self.ka_user
        )
        invoice = self._invoice(order, date(2025, 2, 1))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": date(2025, 2, 5), "amount": 250})._create_payments()
        with self.assertRaises(AccessError):
            self._as(self.Settlement, self.ka_user).compute_settlements(
                date(2025, 2, 1), date(2025, 2, 28)
            )
        settlement = self._as(self.Settlement, self.ka_manager).compute_settlements(
            date(2025, 2, 1), date(2025, 2, 28)
        )
        line = self._order_lines(settlement)
        self.assertEqual(line.amount_base, 250)
        # the colleague, on the same plan, has nothing of it
        self.ka_user2.ka_commission_plan_id = self.paid_plan
        self.assertNotIn(self.ka_user2, settlement.user_id)
        for fname, value in (
            ("partial_key", line.partial_key + 1),
            ("payment_move_id", invoice.id),
        ):
            with self.assertRaises(AccessError):
                self._as(settlement.line_ids, self.ka_manager2).create(
                    {
                        "settlement_id": settlement.id,
                        "line_type": "correction",
                        "reason": "Forged",
                        fname: value,
                    }
                )
            with self.assertRaises(AccessError):
                self._as(line, self.ka_manager2).write({fname: value})
        self.assertEqual(line.amount_base, 250)
        # another company's invoices are not in this company's settlements
        other = self.env["res.company"].create({"name": "Paid Basis Second Co"})
        self.assertFalse(
            self.Settlement.with_company(other)._ka_fetch_paid(
                date(2025, 2, 1), date(2025, 2, 28), self.ka_user
            )
        )


@tagged("post_install", "-at_install")
class TestCommissionCategories(CommissionCase):
    """A plan pays on the products of its commissionable categories only
    (seed 000 §四: "jewellery only"); the rest of an order is left out of the
    base and of the tier, and shown as left out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.jewellery = Category.create({"name": "Jewellery"})
        cls.rings = Category.create({"name": "Rings", "parent_id": cls.jewellery.id})
        cls.services = Category.create({"name": "Engraving Services"})
        Product = cls.env["product.product"]
        cls.ring = Product.create(
            {
                "name": "Gold Ring",
                "list_price": 100.0,
                "taxes_id": False,
                "categ_id": cls.rings.id,
            }
        )
        cls.engraving = Product.create(
            {
                "name": "Engraving",
                "list_price": 100.0,
                "taxes_id": False,
                "categ_id": cls.services.id,
            }
        )
        # jewellery only: its subcategories included
        cls.plan.category_ids = cls.jewellery

    @classmethod
    def _mixed_order(cls, lines, day, user=None, company=None, partner=None):
        """A confirmed order of ``lines`` [(product, quantity, unit price)]."""
        vals = {
            "partner_id": (partner or cls.account).id,
            "user_id": (user or cls.ka_user).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "tax_id": [Command.clear()],
                    }
                )
                for product, qty, price in lines
            ],
        }
        if company:
            vals["company_id"] = company.id
        order = cls.env["sale.order"].create(vals)
        order.action_confirm()
        order.date_order = datetime.combine(day, time(12, 0))
        return order

    def _pay(self, move, day, amount=None):
        vals = {"payment_date": day}
        if amount is not None:
            vals["amount"] = amount
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(vals)._create_payments()

    def _invoice(self, order, day):
        invoice = order._create_invoices()
        invoice.invoice_date = day
        invoice.action_post()
        return invoice

    def test_confirmed_basis_covered_and_excluded(self):
        # rings 12,000 at 120% of list, engraving 8,000 at 80%: the base and
        # the tier on the rings only (5.5%, not the 6% of 20,000), the price
        # ratio of the rings
        mixed = self._mixed_order(
            [(self.ring, 100, 120), (self.engraving, 100, 80)], date(2025, 5, 10)
        )
        engraving_only = self._mixed_order(
            [(self.engraving, 10, 300)], date(2025, 5, 12)
        )
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        by_order = {line.order_id: line for line in self._lines(settlement)}
        line = by_order[mixed]
        self.assertAlmostEqual(line.amount_base, 12_000)
        self.assertAlmostEqual(line.amount_excluded, 8_000)
        self.assertAlmostEqual(line.price_ratio, 120)
        self.assertAlmostEqual(line.rate, 5.5)
        self.assertAlmostEqual(line.amount_commission, 660)
        # nothing covered: shown, with no commission and the reason
        line = by_order[engraving_only]
        self.assertAlmostEqual(line.amount_base, 0)
        self.assertAlmostEqual(line.amount_excluded, 3_000)
        self.assertAlmostEqual(line.amount_commission, 0)
        self.assertIn("commissionable categories", line.reason)
        self.assertAlmostEqual(settlement.amount_base, 12_000)
        self.assertAlmostEqual(settlement.amount_excluded, 11_000)
        self.assertAlmostEqual(settlement.amount_commission, 660)
        # a cancelled order takes back what was left out as well
        settlement.action_confirm()
        mixed._action_cancel()
        june = self._settle(date(2025, 6, 1), date(2025, 6, 30))
        reversal = self._lines(june, "reversal")
        self.assertAlmostEqual(reversal.amount_base, -12_000)
        self.assertAlmostEqual(reversal.amount_excluded, -8_000)
        self.assertAlmostEqual(reversal.amount_commission, -660)

    def test_plan_without_categories_covers_all(self):
        self.plan.category_ids = False
        self._mixed_order(
            [(self.ring, 100, 120), (self.engraving, 100, 80)], date(2025, 5, 10)
        )
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        line = self._lines(settlement)
        self.assertAlmostEqual(line.amount_base, 20_000)
        self.assertAlmostEqual(line.amount_excluded, 0)
        self.assertAlmostEqual(line.price_ratio, 100)
        self.assertAlmostEqual(line.rate, 6.0)
        self.assertAlmostEqual(settlement.amount_commission, 1_200)

    def test_no_fixed_reward_on_products_left_out(self):
        # the part-time table pays 1 g of gold below 5,000 of sales: of
        # covered products only
        plan = self.part_time.copy({"cadence": "monthly"})
        plan.category_ids = self.jewellery
        self.ka_user.ka_commission_plan_id = plan
        self._mixed_order([(self.engraving, 10, 300)], date(2025, 5, 12))
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        self.assertFalse(self._lines(settlement, "reward"))
        self.assertAlmostEqual(settlement.amount_commission, 0)
        self.assertAlmostEqual(settlement.amount_excluded, 3_000)
        self._mixed_order([(self.ring, 10, 100)], date(2025, 5, 13))
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        self.assertAlmostEqual(self._lines(settlement, "reward").amount_commission, 600)

    def test_invoiced_and_paid_basis(self):
        """Paid in two payments: each share splits into covered and left
        out, to the cent; a credit note of the engraving only is left out."""
        self.ka_user.ka_commission_plan_id = self.plan.copy(
            {"amount_basis": "paid", "category_ids": self.jewellery.ids}
        )
        order = self._mixed_order(
            [(self.ring, 3, 3333.33), (self.engraving, 1, 1000)], date(2025, 2, 10)
        )
        invoice = self._invoice(order, date(2025, 2, 11))
        self.assertAlmostEqual(invoice.amount_untaxed, 10_999.99)
        self._pay(invoice, date(2025, 2, 20), amount=3_000)
        self._pay(invoice, date(2025, 3, 5))
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        march = self._settle(date(2025, 3, 1), date(2025, 3, 31))
        first, second = self._lines(february), self._lines(march)
        # 3,000 of 10,999.99 paid in February
        self.assertAlmostEqual(first.amount_base, 2_727.27)
        self.assertAlmostEqual(first.amount_excluded, 272.73)
        self.assertAlmostEqual(first.price_ratio, 3_333.33)
        self.assertAlmostEqual(
            first.amount_base + second.amount_base, 9_999.99, places=2
        )
        self.assertAlmostEqual(
            first.amount_excluded + second.amount_excluded, 1_000, places=2
        )
        self.assertAlmostEqual(first.amount_commission, round(2_727.27 * 0.05, 2))
        february.action_confirm()
        march.action_confirm()
        # the engraving refunded: left out, no commission taken back
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 4, 5), "date": date(2025, 4, 5)}]
        )
        refund.invoice_line_ids.filtered(
            lambda aml: aml.product_id == self.ring
        ).unlink()
        refund.action_post()
        self._pay(refund, date(2025, 4, 8))
        april = self._settle(date(2025, 4, 1), date(2025, 4, 30))
        line = self._lines(april)
        self.assertEqual((line.order_id, line.invoice_id), (order, refund))
        self.assertAlmostEqual(line.amount_base, 0)
        self.assertAlmostEqual(line.amount_excluded, -1_000)
        self.assertAlmostEqual(line.amount_commission, 0)

    def test_statement_shows_what_was_left_out(self):
        order = self._mixed_order(
            [(self.ring, 10, 100), (self.engraving, 5, 100)], date(2025, 5, 10)
        )
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "key_account.report_commission_settlement", settlement.ids
            )[0]
            .decode()
        )
        self.assertIn(order.name, html)
        self.assertIn("Left Out", html)
        self.assertIn("outside the plan", html)
        self.assertIn("Jewellery", html)
        self.assertIn("500.00", html)
        # a plan without categories: no column, no sentence
        self.plan.category_ids = False
        settlement = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "key_account.report_commission_settlement", settlement.ids
            )[0]
            .decode()
        )
        self.assertNotIn("Left Out", html)

    def test_second_company_plan(self):
        other = self.env["res.company"].create({"name": "Categories Second Co"})
        seller = new_test_user(
            self.env,
            login="ka_seller_c2",
            name="Cora Second",
            groups="key_account.group_key_account_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.ka_manager.company_ids |= other
        plan = self.full_time.copy(
            {
                "cadence": "monthly",
                "deduct_expenses": False,
                "company_id": other.id,
                "category_ids": self.services.ids,
            }
        )
        seller.ka_commission_plan_id = plan
        partner = self._account("Second Co Client")
        self._mixed_order(
            [(self.ring, 10, 100), (self.engraving, 5, 100)],
            date(2025, 5, 10),
            user=seller,
            company=other,
            partner=partner,
        )
        # this company's salesperson on the jewellery plan, same month
        self._mixed_order(
            [(self.ring, 10, 100), (self.engraving, 5, 100)], date(2025, 5, 10)
        )
        there = self.Settlement.with_company(other).compute_settlements(
            date(2025, 5, 1), date(2025, 5, 31), users=seller
        )
        self.assertEqual(there.company_id, other)
        self.assertAlmostEqual(there.amount_base, 500)
        self.assertAlmostEqual(there.amount_excluded, 1_000)
        here = self._settle(date(2025, 5, 1), date(2025, 5, 31), users=self.ka_user)
        self.assertAlmostEqual(here.amount_base, 1_000)
        self.assertAlmostEqual(here.amount_excluded, 500)
